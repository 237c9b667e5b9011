export const CLOCK = Symbol('CLOCK');

/** Time, injected so tests can drive it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
