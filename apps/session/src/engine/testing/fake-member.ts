import { SOCKET_OPEN, type MemberSocket, type RoomMember } from '../member-socket';

export interface ReceivedFrame {
  event: string;
  data: any;
}

/** A member's socket for specs of rooms: it keeps every frame sent to it, parsed, and how it was closed. */
export class FakeMemberSocket implements MemberSocket {
  readyState = SOCKET_OPEN;
  bufferedAmount = 0;
  frames: ReceivedFrame[] = [];
  closedWith: number | null = null;

  send(data: Buffer, options?: { binary: boolean }): void {
    // Every frame of the protocol is sent as text, and says so.
    if (options?.binary !== false) throw new Error(`a member was sent a frame with options ${JSON.stringify(options)}, not { binary: false }`);
    this.frames.push(JSON.parse(data.toString('utf8')) as ReceivedFrame);
  }

  close(code?: number): void {
    this.closedWith = code ?? 1005;
    this.readyState = 3;
  }

  /** The data of every frame of `name` received so far. */
  events(name: string): any[] {
    return this.frames.filter((f) => f.event === name).map((f) => f.data);
  }

  /** Every frame received since the last take. */
  take(): ReceivedFrame[] {
    const out = this.frames;
    this.frames = [];
    return out;
  }
}

export type FakeMember = RoomMember & { socket: FakeMemberSocket };

export function fakeMember(id: string, name = id): FakeMember {
  return { socket: new FakeMemberSocket(), user: { id, name } };
}
