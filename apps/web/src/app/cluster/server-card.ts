import type { ClusterServer } from '@app/shared';

export type ServerHealth = 'live' | 'draining' | 'dead';

/** What one card shows about a session server. */
export interface ServerCard {
  id: string;
  /** Only in an admin's view. */
  url?: string;
  health: ServerHealth;
  rooms: string[];
  roomCount: number;
  capacity: number;
  /** Null for a dead server: its last count is history, not load. */
  connections: number | null;
  /** rooms / capacity, 0–100. */
  loadPercent: number;
  loadLevel: 'low' | 'medium' | 'high';
  /** Seconds since the last heartbeat, at the time of the view. */
  heartbeatAgeS: number;
}

export function toServerCard(server: ClusterServer, at: number): ServerCard {
  const capacity = Math.max(0, server.capacity);
  // roomCount counts every room placed; `rooms` names only the caller's unless they are an admin.
  const roomCount = server.roomCount ?? server.rooms.length;
  const loadPercent = capacity > 0 ? Math.min(100, Math.round((roomCount / capacity) * 100)) : 0;
  return {
    id: server.id,
    url: server.url,
    health: !server.alive ? 'dead' : server.draining ? 'draining' : 'live',
    rooms: [...server.rooms].sort(),
    roomCount,
    capacity,
    connections: server.alive ? server.connections : null,
    loadPercent,
    loadLevel: loadPercent >= 85 ? 'high' : loadPercent >= 60 ? 'medium' : 'low',
    heartbeatAgeS: Math.max(0, Math.round((at - server.lastHeartbeat) / 1000)),
  };
}

/** Live servers first, then draining, then dead; by id within each. */
export function sortCards(cards: ServerCard[]): ServerCard[] {
  const rank: Record<ServerHealth, number> = { live: 0, draining: 1, dead: 2 };
  return [...cards].sort((a, b) => rank[a.health] - rank[b.health] || a.id.localeCompare(b.id));
}
