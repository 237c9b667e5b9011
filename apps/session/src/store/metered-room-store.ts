import type { Message } from '@app/shared';
import type { RoomSnapshot, RoomStore } from './room-store.port';

export interface AppendMeter {
  storeAppended(seconds: number): void;
}

/** A RoomStore that times every `append` (one batch of one room) and passes everything through. */
export class MeteredRoomStore implements RoomStore {
  readonly ping?: () => Promise<void>;

  constructor(
    private readonly inner: RoomStore,
    private readonly meter: AppendMeter,
  ) {
    if (inner.ping) this.ping = () => inner.ping!();
  }

  load(roomId: string, limit: number): Promise<RoomSnapshot> {
    return this.inner.load(roomId, limit);
  }

  async append(roomId: string, messages: readonly Message[]): Promise<void> {
    const started = performance.now();
    try {
      await this.inner.append(roomId, messages);
    } finally {
      this.meter.storeAppended((performance.now() - started) / 1000);
    }
  }

  before(roomId: string, before: number, limit: number): Promise<Message[]> {
    return this.inner.before(roomId, before, limit);
  }

  after(roomId: string, after: number, limit: number): Promise<Message[]> {
    return this.inner.after(roomId, after, limit);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
