import { RoomHost, type RoomHostOptions } from '../../engine/room-host';
import type { RoomMember } from '../../engine/member-socket';
import type { RoomLimits } from '../../engine/room-kind';
import { chatKind, type ChatPayloads } from './chat-kind';
import type { ChatState, ChatWrite, HistoryPage } from './chat-state';

export type ChatRoomLimits = RoomLimits;

export interface ChatRoomOptions extends Omit<RoomHostOptions<ChatState, ChatWrite>, 'kind' | 'onClosed'> {
  onClosed: (room: ChatRoom) => void;
}

/**
 * A room of the chat kind with its frames as typed methods: for code that knows it holds a chat
 * room (the kind's specs, tools). The server itself holds `RoomHost`s and routes frames by event.
 */
export class ChatRoom extends RoomHost<ChatState, ChatWrite> {
  constructor(options: ChatRoomOptions) {
    super({ ...options, kind: chatKind, onClosed: () => options.onClosed(this) });
  }

  /** The room's revision as stored. */
  get rev(): number {
    return this.content.storedRev;
  }

  send(member: RoomMember, text: string, clientMsgId: string): void {
    this.handle(member, 'send', { text, clientMsgId } satisfies ChatPayloads['send']);
  }

  edit(member: RoomMember, seq: number, text: string): void {
    this.handle(member, 'edit', { seq, text } satisfies ChatPayloads['edit']);
  }

  delete(member: RoomMember, seq: number): void {
    this.handle(member, 'delete', { seq } satisfies ChatPayloads['delete']);
  }

  react(member: RoomMember, seq: number, emoji: string, on: boolean): void {
    this.handle(member, 'react', { seq, emoji, on } satisfies ChatPayloads['react']);
  }

  read(member: RoomMember, seq: number): void {
    this.handle(member, 'read', { seq } satisfies ChatPayloads['read']);
  }

  /** See `ChatState.history`. */
  history(before: number, limit: number): Promise<HistoryPage> {
    return this.content.history(before, limit);
  }
}
