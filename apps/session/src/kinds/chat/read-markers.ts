import { DEFAULT_LIMITS, ServerEventV2, type ReadMarker } from '@app/shared';
import type { RoomContext } from '../../engine/room-kind';
import { encodeFrame } from '../../protocol/server-frame';
import { StaleEpochError } from '../../store/room-store.port';
import type { TimerHandle } from '../../time/clock';

/** When a user's read marker was last passed on to the others, and the notice waiting to go. */
interface ReadNotice {
  lastAt: number;
  timer: TimerHandle | null;
}

/**
 * A chat room's read markers: kept in memory, raised to the max, written to the store in the
 * background (one write at a time, outside the message queue), and passed on to the other members
 * at most once per `readNoticeMs` per user, with the newest value.
 */
export class ReadMarkers {
  /** Read markers of every user who ever read here (from the store, then raised). */
  private readonly reads = new Map<string, number>();
  /** Users whose marker was raised since it was last written. */
  private readonly dirty = new Set<string>();
  private writing = false;
  private scheduled = false;
  private readonly notices = new Map<string, ReadNotice>();

  constructor(
    private readonly room: RoomContext,
    stored: readonly ReadMarker[],
  ) {
    for (const r of stored) this.reads.set(r.userId, Math.max(this.reads.get(r.userId) ?? 0, r.seq));
  }

  /** True while raised markers wait for the store or are being written. */
  get busy(): boolean {
    return this.writing || this.dirty.size > 0;
  }

  of(userId: string): number {
    return this.reads.get(userId) ?? 0;
  }

  /** Raises `userId`'s marker to `seq`: written soon, and told to the others. False when it was not higher. */
  raise(userId: string, seq: number): boolean {
    if (seq <= this.of(userId)) return false;
    this.reads.set(userId, seq);
    this.dirty.add(userId);
    this.scheduleWrite();
    this.notice(userId);
    return true;
  }

  /** The room closed: nothing more is written or told. */
  clear(): void {
    this.dirty.clear();
    for (const notice of this.notices.values()) if (notice.timer) this.room.clock.clearTimeout(notice.timer);
    this.notices.clear();
  }

  private scheduleWrite(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    this.room.defer(() => {
      this.scheduled = false;
      this.write();
    });
  }

  /** Writes the raised read markers (one write in flight at a time; markers raised meanwhile go next). */
  private write(): void {
    const room = this.room;
    if (room.isClosed || this.writing || this.dirty.size === 0) return;
    const batch: ReadMarker[] = [];
    for (const userId of this.dirty) batch.push({ userId, seq: this.of(userId) });
    this.dirty.clear();
    this.writing = true;
    room.store.saveReads(room.roomId, batch, room.epoch).then(
      () => {
        this.writing = false;
        if (room.isClosed) return;
        if (this.dirty.size) this.scheduleWrite();
        else room.checkSettled();
      },
      (err: unknown) => {
        this.writing = false;
        if (room.isClosed) return;
        if (err instanceof StaleEpochError) return room.storeFailed(err);
        // Not retried: the room still holds the markers, and the next raise of a user's marker
        // writes its (higher) value. Retrying here could keep a drain waiting on a store that is down.
        room.log.error(`room ${room.roomId}: storing read markers failed`, err);
        if (this.dirty.size) this.scheduleWrite();
        else room.checkSettled();
      },
    );
  }

  /** Passes a user's marker on to the others now, or once `readNoticeMs` after the last notice. */
  private notice(userId: string): void {
    let notice = this.notices.get(userId);
    if (!notice) this.notices.set(userId, (notice = { lastAt: -Infinity, timer: null }));
    if (notice.timer) return; // one is due already; it carries the newest value
    const wait = notice.lastAt + DEFAULT_LIMITS.readNoticeMs - this.room.clock.now();
    if (wait <= 0) return this.sendNotice(userId, notice);
    const due = notice;
    due.timer = this.room.clock.setTimeout(() => {
      due.timer = null;
      this.sendNotice(userId, due);
    }, wait);
  }

  private sendNotice(userId: string, notice: ReadNotice): void {
    if (!this.room.isOpen) return;
    notice.lastAt = this.room.clock.now();
    this.room.broadcast(encodeFrame(ServerEventV2.Read, { userId, seq: this.of(userId) }), userId);
  }
}
