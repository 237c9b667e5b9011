/** The part of a member's TCP socket (`net.Socket`) the coalescer uses. */
export interface Corkable {
  cork(): void;
  uncork(): void;
  /** How many `cork()` calls are not yet matched by `uncork()`. */
  readonly writableCorked: number;
  /** Bytes written but not yet handed to the OS (held ones included). */
  readonly writableLength: number;
}

/** Where a room's frames wait before they go to the OS. */
export interface Outbox {
  /** Holds `socket`'s writes until the outbox flushes (a no-op without a socket). */
  hold(socket: Corkable | undefined): void;
}

/** Sends every frame at once: for tests with fake sockets. */
export const IMMEDIATE_OUTBOX: Outbox = { hold() {} };

/**
 * Most bytes a socket holds before they go out anyway. Held bytes count in the socket's
 * `bufferedAmount`, which the slow-consumer check compares with SEND_BUFFER_LIMIT_BYTES (1 MiB by
 * default): a burst in one turn (a batch of long messages after a stall) must not look like a
 * client that stopped reading.
 */
export const HOLD_LIMIT_BYTES = 64 * 1024;

/**
 * Holds a socket's writes (corked) from its first frame in a loop turn until that turn's check
 * phase (`setImmediate`), so all the frames one connection gets in a turn leave in one `writev`.
 *
 * Why: the session server's time goes mostly into the kernel, one `writev` per delivered frame
 * (51 % of its CPU at 3,000 msgs/s in a profile). Under load a turn reads many members' messages,
 * and each member gets a frame for each. Corking until the end of the I/O phase turns those into
 * one syscall, and one TCP segment, per member per turn; when idle, a turn holds one frame and
 * nothing waits. Frames written from the check phase itself (the SQLite store resolves its writes
 * there) wait for the next turn's check phase, one poll phase later.
 *
 * Every write to a held socket (acks, errors, ws's pongs and close frames) is queued in order
 * behind the cork, and `end()` uncorks, so a close sends what was held first. Only a `destroy()`
 * (ws's `terminate()`) drops what a turn held, as it drops whatever the socket still buffers.
 */
export class LoopTurnOutbox implements Outbox {
  private held: Corkable[] = [];
  private readonly flush = (): void => {
    const held = this.held;
    this.held = [];
    for (const socket of held) {
      try {
        socket.uncork();
      } catch {
        // A socket that failed has failed for its own listeners; the others must still go out.
      }
    }
  };

  hold(socket: Corkable | undefined): void {
    if (!socket) return;
    if (socket.writableCorked > 0) {
      // Held already: past the limit, send what is held now and go on holding.
      if (socket.writableLength >= HOLD_LIMIT_BYTES) {
        socket.uncork();
        socket.cork();
      }
      return;
    }
    socket.cork();
    if (this.held.push(socket) === 1) setImmediate(this.flush);
  }
}
