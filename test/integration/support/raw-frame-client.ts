import WebSocket from 'ws';

export interface ReceivedFrame {
  event: string;
  data: any;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** The upgrade was answered with an HTTP status instead of 101. */
export class UpgradeRefusedError extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
    this.name = 'UpgradeRefusedError';
  }
}

/**
 * The tests' one raw WebSocket client: open a socket, send frames (well-formed or not), collect
 * every frame received, and read the close. It never reconnects, resumes or re-sends.
 *
 * Not the SDK (`@app/client`, see test/support/sdk-chatter.ts, which every test that chats as a
 * real client uses) because what these tests need is what the SDK exists to hide or refuse:
 * malformed, oversized, binary or flooding frames; hand-made upgrade URLs (`since`/`rev` values
 * the SDK never sends, wrong or forged tokens, an `Origin`, a source address); one socket's own
 * close code and what arrived on it before (the SDK reconnects at once on 1012 and 4404); a client
 * that stops reading; and session servers tested alone with minted tokens and no backend, while
 * the SDK always goes through get-or-start.
 *
 * `next(event)` takes the first received frame of that event (waiting for it when none came yet).
 * Frames of other events stay in the inbox, so tests read them in any order.
 */
export class RawFrameClient {
  readonly received: ReceivedFrame[] = [];
  private inbox: ReceivedFrame[] = [];
  private waiters: Array<{ event: string | null; resolve: (f: ReceivedFrame) => void }> = [];
  readonly closed: Promise<CloseInfo>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw, isBinary) => {
      const frame = JSON.parse(raw.toString()) as ReceivedFrame;
      if (isBinary) throw new Error('server sent a binary frame');
      this.received.push(frame);
      const i = this.waiters.findIndex((w) => w.event === null || w.event === frame.event);
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(frame);
      else this.inbox.push(frame);
    });
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a socket; rejects with UpgradeRefusedError when the server answers the upgrade with a status. */
  static connect(url: string, options: WebSocket.ClientOptions = {}): Promise<RawFrameClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, ...options });
      const client = new RawFrameClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => {
        reject(new UpgradeRefusedError(res.statusCode ?? 0));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  /** Connects and waits for `welcome`. */
  static async join(url: string, options: WebSocket.ClientOptions = {}): Promise<{ client: RawFrameClient; welcome: any }> {
    const client = await RawFrameClient.connect(url, options);
    const welcome = await client.next('welcome');
    return { client, welcome };
  }

  /** The HTTP status an upgrade to `url` is refused with (fails when it is accepted). */
  static async refusal(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
    try {
      const client = await RawFrameClient.connect(url, options);
      client.terminate();
    } catch (err) {
      if (err instanceof UpgradeRefusedError) return err.status;
      throw err;
    }
    throw new Error(`upgrade to ${url} was accepted`);
  }

  /** Data of the next frame of `event` (the next frame of any event when null). */
  async next(event: string | null = null, timeoutMs = 5000): Promise<any> {
    return (await this.nextFrame(event, timeoutMs)).data;
  }

  nextFrame(event: string | null = null, timeoutMs = 5000): Promise<ReceivedFrame> {
    const i = this.inbox.findIndex((f) => event === null || f.event === event);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = {
        event,
        resolve: (f: ReceivedFrame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const seen = this.received.map((f) => f.event).join(', ') || 'nothing';
        reject(new Error(`no "${event ?? 'any'}" frame within ${timeoutMs} ms (received so far: ${seen})`));
      }, timeoutMs);
      this.waiters.push(waiter);
      // A socket that closes will never deliver it: fail at once with the close code.
      void this.closed.then((c) => {
        if (!this.waiters.includes(waiter)) return;
        this.waiters = this.waiters.filter((w) => w !== waiter);
        clearTimeout(timer);
        reject(new Error(`socket closed (${c.code} ${c.reason}) while waiting for "${event ?? 'any'}"`));
      });
    });
  }

  /** Frames of `event` received and not yet taken by `next`. */
  pending(event: string): any[] {
    return this.inbox.filter((f) => f.event === event).map((f) => f.data);
  }

  /** Every frame of `event` received so far (taken or not). */
  all(event: string): any[] {
    return this.received.filter((f) => f.event === event).map((f) => f.data);
  }

  send(event: string, data: unknown): void {
    this.socket.send(JSON.stringify({ event, data }));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.socket.send(data, { binary: options.binary ?? typeof data !== 'string' });
  }

  /** Sends a message and waits for its ack; returns the ack's seq. */
  async say(text: string, clientMsgId: string): Promise<number> {
    this.send('send', { text, clientMsgId });
    for (;;) {
      const ack = await this.next('ack');
      if (ack.clientMsgId === clientMsgId) return ack.seq;
    }
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  async close(code = 1000): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code);
    }
    return this.closed;
  }

  terminate(): void {
    this.socket.terminate();
  }
}
