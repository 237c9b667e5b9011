import type { Clock, TimerHandle } from './clock';

interface PendingTimer {
  at: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to (`advance`): timers due by then run in order. */
export class ManualClock implements Clock {
  private timers: PendingTimer[] = [];

  constructor(private current = 1_700_000_000_000) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms), fn, cancelled: false };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    (handle as PendingTimer).cancelled = true;
  }

  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      due.cancelled = true;
      due.fn();
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.current = until;
  }

  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
