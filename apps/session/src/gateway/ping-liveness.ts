import type { Clock, TimerHandle } from '../time/clock';

/** What liveness needs of a socket (a `ws` WebSocket has it). */
export interface Pingable {
  ping(): void;
  terminate(): void;
  on(event: 'pong', listener: (this: Pingable) => void): unknown;
}

/**
 * WebSocket ping/pong liveness: every `intervalMs` each watched socket is pinged; one that has not
 * answered the last two pings is terminated (its `close` follows, and with it the usual `left`). A
 * vanished client (half-open TCP, a laptop closed) is so gone within three intervals and holds no
 * presence or room slot. One timer for all sockets; the pong listener is one shared function.
 */
export class PingLiveness {
  /** Pings sent to each socket since its last pong. */
  private readonly unanswered = new Map<Pingable, number>();
  private readonly onPong: (this: Pingable) => void;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
  ) {
    const unanswered = this.unanswered;
    this.onPong = function (this: Pingable) {
      if (unanswered.has(this)) unanswered.set(this, 0);
    };
  }

  start(): void {
    if (this.timer) return;
    this.timer = this.clock.setTimeout(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  watch(socket: Pingable): void {
    this.unanswered.set(socket, 0);
    socket.on('pong', this.onPong);
  }

  forget(socket: Pingable): void {
    this.unanswered.delete(socket);
  }

  get watched(): number {
    return this.unanswered.size;
  }

  private tick(): void {
    this.timer = this.clock.setTimeout(() => this.tick(), this.intervalMs);
    for (const [socket, n] of this.unanswered) {
      if (n >= 2) {
        this.unanswered.delete(socket);
        socket.terminate();
        continue;
      }
      this.unanswered.set(socket, n + 1);
      try {
        socket.ping();
      } catch {
        // Not open any more: its close is on the way and will forget it.
      }
    }
  }
}
