import type { MessageV2 } from '@app/shared';
import { MessageLog } from '../../history/message-log';
import type { AckedWrite } from '../../engine/acks';
import type { RoomContext } from '../../engine/room-kind';
import type { EncodedFrame } from '../../protocol/server-frame';
import type { RoomSnapshot } from '../../store/room-store.port';
import { ReadMarkers } from './read-markers';

/** A message as this server makes it: always with its `rev`. */
export type RoomMessage = MessageV2 & { rev: number };

export type HistoryPage = { messages: MessageV2[]; hasMore: boolean };

/** An accepted message waiting for the store (one `append` per run). */
export interface PendingMessage extends AckedWrite {
  call: 'send';
  message: RoomMessage;
}

/** An accepted edit, deletion or reaction change, waiting for the store (one `update` per run): the message's new state. */
export interface PendingChange {
  call: 'change';
  message: RoomMessage;
  /** `edited`, `deleted` or `reaction`, broadcast once the change is stored. */
  frame: EncodedFrame;
}

export type ChatWrite = PendingMessage | PendingChange;

/**
 * What a chat room holds: recent history, seq and rev, de-duplication, read markers.
 *
 * The ring keeps messages as they were appended; the stored state of those changed since is kept
 * beside it (`changed`), and wins wherever the ring is read.
 */
export class ChatState {
  /**
   * The newest stored messages (at least `resumeLimit`), with their clientMsgIds indexed: welcomes,
   * history pages the ring covers, and de-duplication of stored messages.
   */
  readonly ring: MessageLog;
  /** Accepted messages not stored yet, by clientMsgId: a few, for a moment. */
  readonly pending = new Map<string, PendingMessage>();
  /** Seq of the newest stored message. */
  storedSeq: number;
  /** Seq given to the newest accepted message (stored or not). */
  assignedSeq: number;
  /** The room's revision: of the newest stored change, and given to the newest accepted one. */
  storedRev: number;
  assignedRev: number;
  /** Stored state of ring messages changed after they entered the ring, by seq. */
  readonly changed = new Map<number, RoomMessage>();
  /** Accepted changes not stored yet: the newest state by seq (what the next change builds on). */
  readonly accepted = new Map<number, RoomMessage>();
  readonly reads: ReadMarkers;

  constructor(
    readonly room: RoomContext<ChatWrite>,
    snapshot: RoomSnapshot,
  ) {
    const { limits } = room;
    this.ring = new MessageLog(Math.max(limits.resumeLimit, limits.historyLimit, 1), { keyed: true });
    // A snapshot may hold more than the ring (or, from a trimmed store, start later than seq 1).
    for (const m of snapshot.messages.slice(-this.ring.capacity)) this.ring.push(m.seq, JSON.stringify(m), m.id);
    this.storedSeq = snapshot.lastSeq;
    this.assignedSeq = snapshot.lastSeq;
    // A store written by a version-1 server has messages and no rev: never go below theirs.
    let rev = snapshot.rev ?? 0;
    for (const m of snapshot.messages) if ((m.rev ?? 0) > rev) rev = m.rev ?? 0;
    this.storedRev = rev;
    this.assignedRev = rev;
    this.reads = new ReadMarkers(room, snapshot.reads ?? []);
  }

  /** The newest state of a stored message the ring holds (accepted changes included), or null. */
  current(seq: number): RoomMessage | null {
    if (!this.ring.size || seq < this.ring.oldestSeq || seq > this.storedSeq) return null;
    const known = this.accepted.get(seq) ?? this.changed.get(seq);
    if (known) return known;
    const message = JSON.parse(this.ring.json(seq)) as MessageV2;
    return { ...message, rev: message.rev ?? 0 };
  }

  /** The ring's messages after `after` (the newest `limit`), as a JSON array, changes applied. */
  messagesJson(after: number, limit: number): Buffer {
    if (!this.changed.size) return this.ring.afterJson(after, limit);
    const hi = this.ring.newestSeq;
    const lo = limit > 0 ? Math.max(after + 1, hi - limit + 1, this.ring.oldestSeq) : hi + 1;
    const parts: string[] = [];
    for (let seq = lo; seq <= hi; seq++) {
      const changed = this.changed.get(seq);
      parts.push(changed ? JSON.stringify(changed) : this.ring.json(seq));
    }
    return Buffer.from(`[${parts.join(',')}]`);
  }

  /**
   * A resume's `changed`: the messages with seq ≤ `since` whose stored rev is above `sinceRev`,
   * current state, oldest first, among the newest `resumeLimit` messages.
   */
  changedSince(since: number, sinceRev: number): MessageV2[] {
    const out: MessageV2[] = [];
    if (!this.ring.size || sinceRev >= this.storedRev) return out;
    const lo = Math.max(this.ring.oldestSeq, this.storedSeq - this.room.limits.resumeLimit + 1);
    const hi = Math.min(since, this.storedSeq);
    for (let seq = lo; seq <= hi; seq++) {
      const message = this.changed.get(seq) ?? (JSON.parse(this.ring.json(seq)) as MessageV2);
      if ((message.rev ?? 0) > sinceRev) out.push(message);
    }
    return out;
  }

  /**
   * The newest `limit` stored messages with seq < `before`, oldest first. Served from memory when
   * the ring covers the page, else from the store. `hasMore` is true while older messages exist.
   */
  async history(before: number, limit: number): Promise<HistoryPage> {
    const hi = Math.min(before - 1, this.storedSeq);
    if (hi < 1) return { messages: [], hasMore: false };
    const lo = Math.max(1, hi - limit + 1);
    if (this.ring.size && this.ring.oldestSeq <= lo) {
      const messages: MessageV2[] = this.ring.range(lo, hi);
      if (this.changed.size) for (let i = 0; i < messages.length; i++) messages[i] = this.changed.get(messages[i].seq) ?? messages[i];
      return { messages, hasMore: lo > 1 };
    }
    // One more than asked tells whether older ones exist (also for stores that trim old history).
    const rows = await this.room.store.before(this.room.roomId, hi + 1, limit + 1);
    const hasMore = rows.length > limit;
    return { messages: hasMore ? rows.slice(rows.length - limit) : rows, hasMore };
  }
}
