/** The part of a member's TCP socket (`net.Socket`) the coalescer uses. */
export interface Corkable {
  cork(): void;
  uncork(): void;
  /** How many `cork()` calls are not yet matched by `uncork()`. */
  readonly writableCorked: number;
}

/** Where a room's frames wait before they go to the OS. */
export interface Outbox {
  /** Holds `socket`'s writes until the outbox flushes (a no-op without a socket). */
  hold(socket: Corkable | undefined): void;
}

/** Sends every frame at once: for tests with fake sockets. */
export const IMMEDIATE_OUTBOX: Outbox = { hold() {} };

/**
 * Holds a socket's writes (corked) from its first frame in a loop turn until that turn's check
 * phase (`setImmediate`), so all the frames one connection gets in a turn leave in one `writev`.
 *
 * Why: the session server's time goes mostly into the kernel, one `writev` per delivered frame
 * (51 % of its CPU at 3,000 msgs/s in a profile). Under load a turn reads many members' messages,
 * and each member gets a frame for each. Corking until the end of the I/O phase turns those into
 * one syscall, and one TCP segment, per member per turn; when idle, a turn holds one frame and
 * nothing waits. Every write to a held socket (acks, errors, closes) is queued in order behind the
 * cork, and `end()` uncorks, so a close never strands a frame.
 */
export class LoopTurnOutbox implements Outbox {
  private held: Corkable[] = [];
  private readonly flush = (): void => {
    const held = this.held;
    this.held = [];
    for (const socket of held) socket.uncork();
  };

  hold(socket: Corkable | undefined): void {
    if (!socket || socket.writableCorked > 0) return;
    socket.cork();
    if (this.held.push(socket) === 1) setImmediate(this.flush);
  }
}
