/** One accepted write waiting for the store. Writes with the same `call` in a row go in one store call. */
export interface QueuedWrite {
  readonly call: string;
}

/** Callbacks of the room that holds the queue (methods, so a queue of one kind's writes fits where any room is held). */
export interface WriteQueueOptions<W extends QueuedWrite> {
  /** Runs the next store write (see `RoomHostOptions.defer`). */
  defer: (fn: () => void) => void;
  /** Stores one run of writes of the same `call`, under the room's epoch. */
  write(run: W[]): Promise<void>;
  /** The run is stored: its frames go out now. */
  stored(run: W[]): void;
  /** The store refused or failed the run: nothing of it was stored. */
  failed: (err: unknown) => void;
  /** Nothing is queued or in flight any more. */
  emptied: () => void;
  isClosed: () => boolean;
}

/**
 * One room's writes in the order they were accepted, stored before anything of them is sent.
 * Group commit: while a write is in flight new ones wait and go together in the next, so the store
 * sees at most one write per room at a time, in order; a run of writes of one `call` is one store
 * call (a run of sends one `append`, a run of changes one `update`).
 */
export class WriteQueue<W extends QueuedWrite> {
  private queue: W[] = [];
  private inFlight: W[] | null = null;
  private scheduled = false;

  constructor(private readonly o: WriteQueueOptions<W>) {}

  /** Nothing queued and nothing in flight. */
  get idle(): boolean {
    return !this.inFlight && this.queue.length === 0;
  }

  push(write: W): void {
    this.queue.push(write);
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    this.o.defer(() => {
      this.scheduled = false;
      this.write();
    });
  }

  /** Forgets what waits (the room closed): it is never stored, nor acknowledged. */
  clear(): void {
    this.queue = [];
  }

  /** Writes the oldest run of queued writes of one `call`. */
  private write(): void {
    if (this.inFlight || this.queue.length === 0 || this.o.isClosed()) return;
    const call = this.queue[0].call;
    let run = 1;
    while (run < this.queue.length && this.queue[run].call === call) run++;
    const batch = run === this.queue.length ? this.queue : this.queue.slice(0, run);
    this.queue = run === this.queue.length ? [] : this.queue.slice(run);
    this.inFlight = batch;
    this.o.write(batch).then(
      () => this.stored(batch),
      (err: unknown) => {
        this.inFlight = null;
        if (!this.o.isClosed()) this.o.failed(err);
      },
    );
  }

  private stored(batch: W[]): void {
    this.inFlight = null;
    if (this.o.isClosed()) return;
    this.o.stored(batch);
    if (this.queue.length) this.write();
    else this.o.emptied();
  }
}
