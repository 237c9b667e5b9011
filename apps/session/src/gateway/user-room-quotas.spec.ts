import { UserRoomQuotas } from './user-room-quotas';

describe('UserRoomQuotas', () => {
  let now: number;
  let quotas: UserRoomQuotas;
  beforeEach(() => {
    now = 1_000;
    quotas = new UserRoomQuotas({ maxSockets: 2, perSecond: 10, burst: 4 }, () => now);
  });

  it('admits maxSockets sockets of a user in a room, then refuses until one closes', () => {
    const [a, b, c] = [{}, {}, {}];
    expect(quotas.admit(a, 'r1', 'u1')).not.toBeNull();
    expect(quotas.admit(b, 'r1', 'u1')).not.toBeNull();
    expect(quotas.admit(c, 'r1', 'u1')).toBeNull();
    // Other rooms and other users count apart.
    expect(quotas.admit({}, 'r2', 'u1')).not.toBeNull();
    expect(quotas.admit({}, 'r1', 'u2')).not.toBeNull();
    quotas.release(a);
    quotas.release(a);
    expect(quotas.admit(c, 'r1', 'u1')).not.toBeNull();
    expect(quotas.admit({}, 'r1', 'u1')).toBeNull();
  });

  it("shares one frame budget over a user's sockets in a room", () => {
    const first = quotas.admit({}, 'r1', 'u1')!;
    const second = quotas.admit({}, 'r1', 'u1')!;
    expect(second).toBe(first);
    expect([first.take(), second.take(), first.take(), second.take(), first.take()]).toEqual([true, true, true, true, false]);
  });

  it('keeps an emptied budget across a reconnect, forgets a refilled one', () => {
    const s1 = {};
    const bucket = quotas.admit(s1, 'r1', 'u1')!;
    while (bucket.take());
    quotas.release(s1);
    const again = quotas.admit({}, 'r1', 'u1')!;
    expect(again.take()).toBe(false);
    now += 1_000;
    expect(again.take()).toBe(true);
    const s3 = {};
    const other = quotas.admit(s3, 'r9', 'u9')!;
    expect(quotas.size).toBe(2);
    quotas.release(s3);
    expect(other.full).toBe(true);
    expect(quotas.size).toBe(1);
  });
});
