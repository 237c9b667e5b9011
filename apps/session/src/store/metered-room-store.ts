import type { MessageV2, ReadMarker } from '@app/shared';
import type { RoomFence, RoomSnapshot, RoomStore } from './room-store.port';

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

  load(roomId: string, limit: number, claim?: number): Promise<RoomSnapshot> {
    return this.inner.load(roomId, limit, claim);
  }

  identity(): Promise<string> {
    return this.inner.identity();
  }

  fence(roomId: string): Promise<RoomFence> {
    return this.inner.fence(roomId);
  }

  async append(roomId: string, messages: readonly MessageV2[], epoch: number): Promise<void> {
    const started = performance.now();
    try {
      await this.inner.append(roomId, messages, epoch);
    } finally {
      this.meter.storeAppended((performance.now() - started) / 1000);
    }
  }

  update(roomId: string, messages: readonly MessageV2[], epoch: number): Promise<void> {
    return this.inner.update(roomId, messages, epoch);
  }

  saveReads(roomId: string, reads: readonly ReadMarker[], epoch: number): Promise<void> {
    return this.inner.saveReads(roomId, reads, epoch);
  }

  before(roomId: string, before: number, limit: number): Promise<MessageV2[]> {
    return this.inner.before(roomId, before, limit);
  }

  after(roomId: string, after: number, limit: number): Promise<MessageV2[]> {
    return this.inner.after(roomId, after, limit);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
