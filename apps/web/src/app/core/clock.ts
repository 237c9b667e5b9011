import { InjectionToken } from '@angular/core';

export type TimerHandle = unknown;

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
