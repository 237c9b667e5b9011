type Task = () => void;

interface Turn {
  commits: Task[];
  sends: Task[];
}

/**
 * The end of an event-loop turn in two ordered steps, both in the same check phase: `commit` work
 * first (the SQLite store's group commit), then `send` work (the outbox uncorking what the turn's
 * frames held).
 *
 * Why: the SQLite store commits in the check phase and resolves its appends there; the rooms'
 * continuations then broadcast and ack. With one `setImmediate` each, those frames waited for the
 * next turn's check phase, behind a whole poll phase of reading new frames: at 3,000 msgs/s that
 * wait was most of the median latency. A turn queues its two steps together, so whatever a commit's
 * continuations write (they run as microtasks right after the commit step) joins this turn's send
 * step. Work added after a step has run goes to the next turn.
 */
export class LoopTurn {
  /** The queued turn whose commit step has not run: new commit work joins it. */
  private committing: Turn | null = null;
  /** The queued turn whose send step has not run: new send work joins it. */
  private sending: Turn | null = null;

  /** `onError` gets what a task threw (default: rethrown as uncaught, after the step's other tasks ran). */
  constructor(private readonly onError: (error: unknown) => void = rethrowUncaught) {}

  atCommit(task: Task): void {
    (this.committing ?? this.queue()).commits.push(task);
  }

  atSend(task: Task): void {
    (this.sending ?? this.queue()).sends.push(task);
  }

  private queue(): Turn {
    const turn: Turn = { commits: [], sends: [] };
    this.committing ??= turn;
    this.sending ??= turn;
    setImmediate(() => {
      if (this.committing === turn) this.committing = null;
      this.runAll(turn.commits);
    });
    setImmediate(() => {
      // The next queued turn (if any) takes the sends that come after this step.
      if (this.sending === turn) this.sending = this.committing;
      this.runAll(turn.sends);
    });
    return turn;
  }

  /** Every task runs even if one throws: one failed flush must not strand the others. */
  private runAll(tasks: readonly Task[]): void {
    for (const task of tasks) {
      try {
        task();
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

function rethrowUncaught(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
}
