import type { ClusterServer } from '@app/shared';
import { sortCards, toServerCard } from './server-card';

const base: ClusterServer = {
  id: 's1',
  url: 'ws://h:1',
  capacity: 10,
  roomCount: 2,
  rooms: ['b', 'a'],
  connections: 3,
  draining: false,
  alive: true,
  lastHeartbeat: 10_000,
};

describe('server cards', () => {
  it('computes load, health and heartbeat age', () => {
    const card = toServerCard(base, 12_400);
    expect(card).toEqual(expect.objectContaining({ health: 'live', roomCount: 2, loadPercent: 20, loadLevel: 'low', heartbeatAgeS: 2, rooms: ['a', 'b'] }));
    expect(toServerCard({ ...base, roomCount: 9, rooms: Array.from({ length: 9 }, (_, i) => `r${i}`) }, 0).loadLevel).toBe('high');
    // A user's view names only their rooms: the load counts every room placed.
    expect(toServerCard({ ...base, url: undefined, roomCount: 8, rooms: ['mine'] }, 0)).toEqual(
      expect.objectContaining({ roomCount: 8, loadPercent: 80, rooms: ['mine'], url: undefined }),
    );
    expect(toServerCard({ ...base, draining: true }, 0).health).toBe('draining');
    expect(toServerCard({ ...base, alive: false, draining: true }, 0).health).toBe('dead');
    expect(toServerCard({ ...base, capacity: 0 }, 0).loadPercent).toBe(0);
    // A dead server's last count is not shown as if it were live.
    expect(toServerCard({ ...base, alive: false }, 0).connections).toBeNull();
  });

  it('lists live servers first, dead last', () => {
    const cards = [
      toServerCard({ ...base, id: 'z', alive: false }, 0),
      toServerCard({ ...base, id: 'y', draining: true }, 0),
      toServerCard({ ...base, id: 'x' }, 0),
    ];
    expect(sortCards(cards).map((c) => c.id)).toEqual(['x', 'y', 'z']);
  });
});
