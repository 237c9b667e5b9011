/**
 * State of the frame contract check of one test file, and its opt-outs (frame-contract.setup.ts), for tests that send frames the
 * protocol forbids on purpose (fuzzing, bad input). Only what the client sends is exempt: the
 * server's answers to those frames are still checked against docs/asyncapi.yaml.
 */

export interface FrameExemptions {
  /** Sockets whose client → server frames are not checked. */
  sockets: WeakSet<object>;
  /** Every client → server frame of the current test file is exempt. */
  wholeFile: boolean;
  /** Frames the document does not describe, seen since the last check (frame-contract.setup.ts fails the test on them). */
  violations: string[];
}

const KEY = Symbol.for('stateful-rooms.frame-exemptions');

/** The exemptions of this test file (Jest gives every file its own globals). */
export function frameExemptions(): FrameExemptions {
  const holder = globalThis as unknown as Record<symbol, FrameExemptions | undefined>;
  holder[KEY] ??= { sockets: new WeakSet(), wholeFile: false, violations: [] };
  return holder[KEY];
}

/** This socket (a `ws` WebSocket, a global WebSocket, or a test client holding one in `socket`) sends malformed frames on purpose. */
export function sendsMalformedFrames<T extends object>(socket: T): T {
  const inner = (socket as { socket?: unknown }).socket;
  frameExemptions().sockets.add(typeof inner === 'object' && inner !== null ? inner : socket);
  return socket;
}

/** Every socket of this test file sends malformed frames on purpose (a fuzz suite). Call at the top of the file. */
export function allSocketsInThisFileSendMalformedFrames(): void {
  frameExemptions().wholeFile = true;
}

/** Takes the violations seen so far, so that a test of the check itself can look at them instead of failing. */
export function takeFrameViolations(): string[] {
  return frameExemptions().violations.splice(0);
}
