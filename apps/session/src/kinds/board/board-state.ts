import type { BoardUpdate, MessageV2 } from '@app/shared';
import * as Y from 'yjs';
import type { AckedWrite } from '../../engine/acks';
import type { RoomContext } from '../../engine/room-kind';
import type { RoomSnapshot } from '../../store/room-store.port';
import type { TimerHandle } from '../../time/clock';

/**
 * Most stored updates a board loads to build its document (its `loadLimit`): every update since the
 * room began, so the document is whole. The stores that trim (memory, Redis: MEMORY_HISTORY_MAX,
 * REDIS_HISTORY_MAX) keep fewer; compaction into one state (issue 24) lifts both bounds.
 */
export const BOARD_LOAD_LIMIT = 1_000_000;

/** A board's cursor goes to the others at most this often per user (the newest position, trailing). */
export const CURSOR_THROTTLE_MS = 50;

/** An accepted update waiting for the store: stored as a message whose text is the base64 update. */
export interface PendingUpdate extends AckedWrite {
  readonly call: 'update';
  readonly message: MessageV2;
  readonly bytes: Uint8Array;
}

/** One user's cursor throttle: when one last went out, and the newest one held back since. */
interface CursorSlot {
  sentAt: number;
  held: { x: number; y: number } | null;
  timer: TimerHandle | null;
}

/**
 * A board's content: the server's copy of the Yjs document (exactly the stored updates, applied in
 * seq order), the newest stored updates for resumes by `since`, the updates being stored and the
 * cursor throttle.
 */
export class BoardState {
  readonly doc = new Y.Doc({ gc: true });
  /** The newest stored updates, oldest first (at most `resumeLimit`): what a resume by `since` gets. */
  readonly recent: BoardUpdate[] = [];
  /** clientMsgId → seq of the updates in `recent` (a repeated id is acked again, not applied twice). */
  readonly seqOfId = new Map<string, number>();
  readonly pending = new Map<string, PendingUpdate>();
  readonly cursors = new Map<string, CursorSlot>();
  storedSeq: number;
  assignedSeq: number;

  constructor(
    readonly room: RoomContext<PendingUpdate>,
    snapshot: RoomSnapshot,
  ) {
    this.storedSeq = snapshot.lastSeq;
    this.assignedSeq = snapshot.lastSeq;
    const first = snapshot.messages[0]?.seq ?? snapshot.lastSeq + 1;
    if (first > 1) {
      room.log.warn(`board ${room.roomId}: the store holds its updates from seq ${first} only: the document lacks the earlier ones`);
    }
    for (const message of snapshot.messages) {
      const bytes = Buffer.from(message.text, 'base64');
      try {
        Y.applyUpdate(this.doc, bytes);
      } catch (err) {
        // Validated before it was stored; should a store hand back something else, the rest still loads.
        room.log.error(`board ${room.roomId}: stored update ${message.seq} does not apply`, err);
      }
      this.remember({ seq: message.seq, update: message.text, userId: message.userId }, message.id);
    }
  }

  /** Keeps a stored update for resumes and de-duplication, dropping the oldest past `resumeLimit`. */
  remember(update: BoardUpdate, clientMsgId: string): void {
    this.recent.push(update);
    this.seqOfId.set(clientMsgId, update.seq);
    if (this.recent.length > this.room.limits.resumeLimit) {
      const dropped = this.recent.shift()!;
      // The ids map is pruned by seq: the id of the update dropped is the oldest one in it.
      for (const [id, seq] of this.seqOfId) {
        if (seq <= dropped.seq) this.seqOfId.delete(id);
        break;
      }
    }
  }

  /** The updates after `since`, or null when the oldest of them is no longer kept. */
  updatesAfter(since: number): BoardUpdate[] | null {
    if (since >= this.storedSeq) return [];
    const oldest = this.recent[0]?.seq;
    if (oldest === undefined || oldest > since + 1) return null;
    return this.recent.filter((u) => u.seq > since);
  }

  /** The whole document as one base64 update. */
  stateBase64(): string {
    return Buffer.from(Y.encodeStateAsUpdate(this.doc)).toString('base64');
  }

  /** Cursor slot of a user (made on first use). */
  cursorSlot(userId: string): CursorSlot {
    let slot = this.cursors.get(userId);
    if (!slot) {
      slot = { sentAt: -Infinity, held: null, timer: null };
      this.cursors.set(userId, slot);
    }
    return slot;
  }

  clearCursors(): void {
    for (const slot of this.cursors.values()) if (slot.timer) this.room.clock.clearTimeout(slot.timer);
    this.cursors.clear();
  }
}
