import type { Clock, TimerHandle } from '../core/clock';

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** A clock tests move by hand: timers fire only inside `advance`. */
export class FakeClock implements Clock {
  private time = 1_700_000_000_000;
  private nextId = 1;
  private timers: Timer[] = [];
  /** Every delay ever scheduled, in order: lets a test read the backoff schedule. */
  readonly scheduled: number[] = [];
  randomValue = 0.5;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + ms, callback };
    this.timers.push(timer);
    this.scheduled.push(ms);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  random(): number {
    return this.randomValue;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.callback();
    }
    this.time = end;
  }
}
