import { ManualClock } from '../time/manual-clock';
import { Lease } from './lease';

describe('Lease', () => {
  it('is not held before the first renewal', () => {
    expect(new Lease(new ManualClock()).held()).toBe(false);
  });

  it('lasts 80 % of the backend TTL counted from when the answered heartbeat was sent', () => {
    const clock = new ManualClock();
    const lease = new Lease(clock);
    const sentAt = clock.now();
    clock.advance(300);
    lease.renew(sentAt, 5000);
    expect(lease.held()).toBe(true);
    clock.advance(3699);
    expect(lease.held()).toBe(true);
    clock.advance(1);
    expect(lease.held()).toBe(false);
  });

  it('is never shortened by a late answer to an older heartbeat', () => {
    const clock = new ManualClock();
    const lease = new Lease(clock);
    const t0 = clock.now();
    lease.renew(t0 + 1000, 5000);
    lease.renew(t0, 5000);
    expect(lease.expiresAt).toBe(t0 + 5000);
  });

  it('tells its listeners when a renewal leaves it held, and not when the renewal came too late', () => {
    const clock = new ManualClock();
    const lease = new Lease(clock);
    const renewed = jest.fn();
    const stop = lease.onRenewed(renewed);
    lease.renew(clock.now(), 5000);
    expect(renewed).toHaveBeenCalledTimes(1);
    // A reply to a heartbeat sent 4.5 s ago (the process was frozen meanwhile) renews nothing usable.
    const sentAt = clock.now() + 100;
    clock.advance(4600);
    lease.renew(sentAt, 5000);
    expect(lease.held()).toBe(false);
    expect(renewed).toHaveBeenCalledTimes(1);
    stop();
    lease.renew(clock.now(), 5000);
    expect(renewed).toHaveBeenCalledTimes(1);
  });
});
