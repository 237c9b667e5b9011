import type { RoomRecord } from './session-directory.port';

/** A created room and when it expires. */
export interface CatalogEntry {
  record: RoomRecord;
  expiresAt: number;
  /** Identity of the room store that holds the room's history (SessionDirectory.roomStore). */
  store?: string;
}

/**
 * The rooms a one-process directory knows. Placements and servers are rebuilt from heartbeats after
 * a restart; rooms are not (a room with no connection is in no heartbeat), so they may need a disk.
 */
export interface RoomCatalog {
  create(entry: CatalogEntry): void;
  get(roomId: string): CatalogEntry | undefined;
  /** Moves `expiresAt` of the given rooms that have not expired at `now`. */
  touch(roomIds: readonly string[], now: number, expiresAt: number): void;
  delete(roomId: string): void;
  /** Records the store of a room that has none yet (a room unknown to the catalog is left alone). */
  bindStore(roomId: string, store: string): void;
  close(): void;
}

export class MemoryRoomCatalog implements RoomCatalog {
  private readonly rooms = new Map<string, CatalogEntry>();

  create(entry: CatalogEntry): void {
    this.rooms.set(entry.record.roomId, { ...entry });
  }

  get(roomId: string): CatalogEntry | undefined {
    return this.rooms.get(roomId);
  }

  touch(roomIds: readonly string[], now: number, expiresAt: number): void {
    for (const roomId of roomIds) {
      const entry = this.rooms.get(roomId);
      if (entry && entry.expiresAt > now) entry.expiresAt = expiresAt;
    }
  }

  delete(roomId: string): void {
    this.rooms.delete(roomId);
  }

  bindStore(roomId: string, store: string): void {
    const entry = this.rooms.get(roomId);
    if (entry && entry.store === undefined) entry.store = store;
  }

  close(): void {}
}
