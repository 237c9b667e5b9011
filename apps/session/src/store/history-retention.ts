const DAY_MS = 24 * 60 * 60 * 1000;

/** A store that can delete old messages: the SQL stores, which otherwise keep the whole history. */
export interface PrunableHistory {
  /**
   * Deletes messages older than `cutoffTs` (ms since the epoch, by their `ts`), except each room's
   * newest message, which carries the room's last seq (a new owner must continue it, never restart
   * at 1). Returns how many were deleted.
   */
  pruneHistory(cutoffTs: number): Promise<number>;
}

export interface HistoryRetentionOptions {
  /** Messages older than this many days are deleted. */
  days: number;
  /** How often the job runs (default hourly); the first run is one interval after start. */
  intervalMs?: number;
  /** Time source (tests). */
  now?: () => number;
}

/**
 * `HISTORY_RETENTION_DAYS`: a periodic job, apart from the append (which stays one insert), that
 * deletes what is older than the retention. Every server sharing a store runs it; the deletes are
 * idempotent, so that costs only a repeated cheap query. A failed run (the database away) is
 * retried at the next interval.
 */
export class HistoryRetention {
  private readonly timer: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: PrunableHistory,
    private readonly options: HistoryRetentionOptions,
  ) {
    this.timer = setInterval(() => void this.runOnce().catch(() => undefined), options.intervalMs ?? 60 * 60 * 1000);
    this.timer.unref();
  }

  /** One run of the job now; resolves with the number of messages deleted. */
  runOnce(): Promise<number> {
    const cutoff = (this.options.now ?? Date.now)() - this.options.days * DAY_MS;
    const run = this.running.then(() => this.store.pruneHistory(cutoff));
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
