import { ManualClock } from '../time/manual-clock';
import { type Pingable, PingLiveness } from './ping-liveness';

class FakeSocket implements Pingable {
  pings = 0;
  terminated = false;
  private pong?: (this: Pingable) => void;
  ping(): void {
    this.pings++;
  }
  terminate(): void {
    this.terminated = true;
  }
  on(_event: 'pong', listener: (this: Pingable) => void): void {
    this.pong = listener;
  }
  answer(): void {
    this.pong?.call(this);
  }
}

describe('PingLiveness', () => {
  let clock: ManualClock;
  let liveness: PingLiveness;
  beforeEach(() => {
    clock = new ManualClock();
    liveness = new PingLiveness(15_000, clock);
    liveness.start();
  });
  afterEach(() => liveness.stop());

  it('pings every interval and keeps a socket that answers', () => {
    const s = new FakeSocket();
    liveness.watch(s);
    for (let i = 1; i <= 5; i++) {
      clock.advance(15_000);
      expect(s.pings).toBe(i);
      s.answer();
    }
    expect(s.terminated).toBe(false);
  });

  it('terminates a socket that missed two pongs in a row: gone within three intervals', () => {
    const s = new FakeSocket();
    liveness.watch(s);
    clock.advance(15_000);
    clock.advance(15_000);
    expect(s.terminated).toBe(false);
    clock.advance(15_000);
    expect(s.terminated).toBe(true);
    expect(s.pings).toBe(2);
    expect(liveness.watched).toBe(0);
  });

  it('one missed pong is forgiven when the next comes', () => {
    const s = new FakeSocket();
    liveness.watch(s);
    clock.advance(15_000);
    clock.advance(15_000);
    s.answer();
    clock.advance(15_000);
    clock.advance(15_000);
    expect(s.terminated).toBe(false);
  });

  it('forgets a closed socket, also when its pong comes late', () => {
    const s = new FakeSocket();
    liveness.watch(s);
    clock.advance(15_000);
    liveness.forget(s);
    s.answer();
    expect(liveness.watched).toBe(0);
    clock.advance(60_000);
    expect(s.pings).toBe(1);
  });

  it('spreads an interval’s pings over its ticks: no burst, each socket pinged once per interval', () => {
    const sockets = Array.from({ length: 150 }, () => new FakeSocket());
    for (const s of sockets) liveness.watch(s);
    const pinged = () => sockets.reduce((n, s) => n + s.pings, 0);
    const perSecond: number[] = [];
    for (let t = 0; t < 15; t++) {
      const before = pinged();
      clock.advance(1_000);
      perSecond.push(pinged() - before);
      for (const s of sockets) s.answer();
    }
    expect(Math.max(...perSecond)).toBe(10);
    expect(sockets.every((s) => s.pings === 1)).toBe(true);
    clock.advance(15_000);
    expect(sockets.every((s) => s.pings === 2)).toBe(true);
  });

  it('pings a socket watched mid-interval exactly one interval apart, among others coming and going', () => {
    const others = Array.from({ length: 40 }, () => new FakeSocket());
    for (const o of others.slice(0, 20)) liveness.watch(o);
    clock.advance(7_300);
    const s = new FakeSocket();
    const at: number[] = [];
    s.ping = () => at.push(clock.now());
    liveness.watch(s);
    for (const o of others.slice(20)) liveness.watch(o);
    for (const o of others.slice(0, 10)) liveness.forget(o);
    for (let t = 0; t < 60; t++) {
      clock.advance(1_000);
      s.answer();
    }
    expect(at.length).toBeGreaterThanOrEqual(3);
    expect(at.slice(1).map((t, i) => t - at[i])).toEqual(at.slice(1).map(() => 15_000));
  });
});
