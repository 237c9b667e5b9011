import type { Clock, TimerHandle } from '../time/clock';

type RoomState = 'open' | 'closing' | 'closed';

/**
 * Where one room is in its life: open, closing (draining: storing what it accepted), closed for
 * good; the timer that disposes of it once empty; and who waits for its writes to settle.
 */
export class RoomLifecycle {
  private state: RoomState = 'open';
  private idleTimer: TimerHandle | null = null;
  private settledWaiters: Array<() => void> = [];
  private closedResolve!: () => void;
  /** Resolves once the room is closed for good. */
  readonly closed: Promise<void> = new Promise((resolve) => (this.closedResolve = resolve));

  constructor(
    private readonly clock: Clock,
    private readonly idleMs: number,
    /** Runs when the idle timer fires. */
    private readonly idle: () => void,
  ) {}

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get isClosing(): boolean {
    return this.state === 'closing';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Starts closing; false when it was not open. */
  beginClosing(): boolean {
    if (this.state !== 'open') return false;
    this.state = 'closing';
    this.clearIdleTimer();
    return true;
  }

  /** Closed for good; false when it was already. */
  markClosed(): boolean {
    if (this.state === 'closed') return false;
    this.state = 'closed';
    this.clearIdleTimer();
    return true;
  }

  /** Closed: resolves `closed` and wakes who waits for `settled`. */
  finish(): void {
    this.wakeSettled();
    this.closedResolve();
  }

  armIdleTimer(): void {
    this.clearIdleTimer();
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = null;
      this.idle();
    }, this.idleMs);
  }

  clearIdleTimer(): void {
    if (this.idleTimer) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** Resolves when `wakeSettled` is called next (or at once when `settledNow`). */
  settled(settledNow: boolean): Promise<void> {
    if (settledNow) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  wakeSettled(): void {
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const wake of waiters) wake();
  }
}
