import { Injectable, signal } from '@angular/core';
import { deviceStorage } from './browser-storage';

const KEY = 'chat.recentRooms';
const MAX = 8;

export interface RecentRoom {
  roomId: string;
  name?: string;
  visitedAt: number;
  /** This user's read marker in the room, as last known on this device (version 2). */
  readSeq?: number;
}

function isRecentRoom(value: unknown): value is RecentRoom {
  const r = value as Partial<RecentRoom> | null;
  return typeof r === 'object' && r !== null && typeof r.roomId === 'string' && typeof r.visitedAt === 'number';
}

function readStored(): RecentRoom[] {
  try {
    const parsed: unknown = JSON.parse(deviceStorage.get(KEY) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((r: unknown): r is RecentRoom => isRecentRoom(r)).slice(0, MAX);
  } catch {
    return [];
  }
}

/** Rooms this browser visited, newest first, kept in localStorage across sessions. */
@Injectable({ providedIn: 'root' })
export class RecentRoomsStore {
  private readonly state = signal<RecentRoom[]>(readStored());
  readonly rooms = this.state.asReadonly();

  remember(roomId: string, at: number, name?: string): void {
    const previous = this.state().find((r) => r.roomId === roomId);
    const entry: RecentRoom = { roomId, visitedAt: at, name: name ?? previous?.name, readSeq: previous?.readSeq };
    this.write([entry, ...this.state().filter((r) => r.roomId !== roomId)].slice(0, MAX));
  }

  /** Raises the room's read marker (a room not in the list is left out). */
  markRead(roomId: string, seq: number): void {
    const rooms = this.state();
    if (!rooms.some((r) => r.roomId === roomId && (r.readSeq ?? 0) < seq)) return;
    this.write(rooms.map((r) => (r.roomId === roomId ? { ...r, readSeq: seq } : r)));
  }

  /** Takes names the backend reports for rooms in the list (a room joined by link learns its name). */
  rename(names: ReadonlyMap<string, string>): void {
    const rooms = this.state();
    if (!rooms.some((r) => names.has(r.roomId) && names.get(r.roomId) !== r.name)) return;
    this.write(rooms.map((r) => (names.has(r.roomId) ? { ...r, name: names.get(r.roomId) } : r)));
  }

  forget(roomId: string): void {
    this.write(this.state().filter((r) => r.roomId !== roomId));
  }

  private write(rooms: RecentRoom[]): void {
    this.state.set(rooms);
    deviceStorage.set(KEY, JSON.stringify(rooms));
  }
}
