import { InjectionToken } from '@angular/core';

/** What a clock's setTimeout returns: a number in browsers (and the fake clock), an object in Node. */
export type TimerHandle = number | object;

/** Time and timers behind a token, so reconnect backoff and polling can be driven by tests. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Uniform in [0, 1): the jitter source. */
  random(): number;
}

export const browserClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

export const CLOCK = new InjectionToken<Clock>('CLOCK', { providedIn: 'root', factory: () => browserClock });
