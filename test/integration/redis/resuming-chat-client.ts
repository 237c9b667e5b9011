import type { AckPayload, Message, RoomSessionResponse, WelcomePayload } from '@app/shared';
import { ClientEvent, ServerEvent } from '@app/shared';
import WebSocket from 'ws';

/**
 * A chat client that behaves as PROTOCOL.md asks of a real one when its server goes away: ask a
 * backend for the room again, reconnect with `since=<last seq seen>`, re-send every message that got
 * no ack with the same clientMsgId. It records what it saw, and every breach of the protocol it
 * noticed (a welcome that does not continue its history, a seq seen twice or skipped).
 */
export class ResumingChatClient {
  readonly messages = new Map<number, Message>();
  readonly acks = new Map<string, number>();
  /** Messages sent without an ack yet, by clientMsgId. */
  readonly pending = new Map<string, string>();
  /** Every clientMsgId this client sent. */
  readonly sent = new Set<string>();
  readonly violations: string[] = [];
  /** Server id of every welcome, in order. */
  readonly servers: string[] = [];
  /**
   * Every switch to another server: ms from the last frame received on the old socket to the
   * welcome on the new one (the client-visible switch-over), and whether `moved` announced it.
   */
  readonly switches: Array<{ from: string; to: string; ms: number; moved: boolean; closeCode: number }> = [];
  /** Why each failed connection attempt failed (it is retried 100 ms later). */
  readonly failedAttempts: string[] = [];
  /** Close codes of every socket that closed after its welcome. */
  readonly closeCodes: number[] = [];
  lastSeq = 0;
  private lastFrameAt = 0;
  private lastClose: { code: number; moved: boolean } | null = null;

  private ws?: WebSocket;
  private closing = false;
  private connecting?: Promise<void>;
  private sentCount = 0;
  private attempt = 0;

  constructor(
    readonly name: string,
    private readonly backends: string[],
    private readonly accessToken: string,
    readonly roomId: string,
  ) {}

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Connects (or reconnects); resolves after the welcome. */
  connect(): Promise<void> {
    this.connecting ??= this.connectLoop().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Sends a new message; it is re-sent after a reconnect until acked. */
  send(text: string): string {
    const clientMsgId = `${this.name}-${++this.sentCount}`;
    this.pending.set(clientMsgId, text);
    this.sent.add(clientMsgId);
    this.transmit(clientMsgId, text);
    return clientMsgId;
  }

  async close(): Promise<void> {
    this.closing = true;
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
    });
  }

  private transmit(clientMsgId: string, text: string): void {
    if (this.connected) this.ws!.send(JSON.stringify({ event: ClientEvent.Send, data: { text, clientMsgId } }));
  }

  private async connectLoop(): Promise<void> {
    const deadline = Date.now() + 30_000;
    let lastError = '';
    while (!this.closing && Date.now() < deadline) {
      const backend = this.backends[this.attempt++ % this.backends.length];
      try {
        const session = await this.requestSession(backend);
        await this.open(session);
        return;
      } catch (err) {
        lastError = (err as Error).message;
        this.failedAttempts.push(lastError);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (!this.closing) throw new Error(`${this.name} could not reconnect to room ${this.roomId}: ${lastError}`);
  }

  private async requestSession(backend: string): Promise<RoomSessionResponse> {
    const res = await fetch(`${backend}/api/rooms/${this.roomId}`, { method: 'POST', headers: { authorization: `Bearer ${this.accessToken}` } });
    if (res.status !== 200) throw new Error(`POST /api/rooms/${this.roomId} on ${backend}: ${res.status}`);
    return (await res.json()) as RoomSessionResponse;
  }

  private open(session: RoomSessionResponse): Promise<void> {
    const since = this.servers.length > 0 ? this.lastSeq : undefined;
    const url = `${session.url}?token=${encodeURIComponent(session.token)}${since !== undefined ? `&since=${since}` : ''}`;
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url);
      let welcomed = false;
      let moved = false;
      ws.on('message', (raw) => {
        const frame = JSON.parse(raw.toString()) as { event: string; data: unknown };
        if (frame.event === ServerEvent.Welcome) {
          welcomed = true;
          this.ws = ws;
          const previous = this.servers.at(-1);
          const welcome = frame.data as WelcomePayload;
          if (previous !== undefined && this.lastClose) {
            this.switches.push({
              from: previous,
              to: welcome.serverId,
              ms: Date.now() - this.lastFrameAt,
              moved: this.lastClose.moved,
              closeCode: this.lastClose.code,
            });
          }
          this.lastClose = null;
          this.lastFrameAt = Date.now();
          this.onWelcome(welcome, since);
          resolve();
        } else if (frame.event === ServerEvent.Moved) {
          // The room lives elsewhere now: go at once, without waiting for the 1012 close handshake.
          moved = true;
          this.lastFrameAt = Date.now();
          this.closeCodes.push(1012);
          this.lastClose = { code: 1012, moved: true };
          ws.terminate();
          if (!this.closing) void this.connect().catch((err: Error) => this.violations.push(err.message));
        } else if (frame.event === ServerEvent.Message) {
          this.lastFrameAt = Date.now();
          this.onMessage(frame.data as Message);
        } else if (frame.event === ServerEvent.Ack) {
          this.lastFrameAt = Date.now();
          const { clientMsgId, seq } = frame.data as AckPayload;
          this.acks.set(clientMsgId, seq);
          this.pending.delete(clientMsgId);
        }
      });
      ws.once('error', (err) => {
        if (!welcomed) reject(err);
      });
      ws.once('close', (code) => {
        if (!welcomed) return reject(new Error(`closed with ${code} before the welcome`));
        if (moved) return; // already on its way to the new owner
        this.closeCodes.push(code);
        this.lastClose = { code, moved };
        if (!this.closing) void this.connect().catch((err: Error) => this.violations.push(err.message));
      });
    });
  }

  private onWelcome(welcome: WelcomePayload, since: number | undefined): void {
    this.servers.push(welcome.serverId);
    const seqs = welcome.messages.map((m) => m.seq);
    if (since !== undefined && welcome.lastSeq < since) {
      this.violations.push(`stale welcome on ${welcome.serverId}: lastSeq ${welcome.lastSeq} after this client saw seq ${since}`);
    }
    if (since !== undefined) {
      const expected = Array.from({ length: welcome.lastSeq - since }, (_, i) => since + 1 + i);
      if (JSON.stringify(seqs) !== JSON.stringify(expected)) {
        this.violations.push(`welcome after since=${since} on ${welcome.serverId} carried [${seqs.join(',')}] with lastSeq ${welcome.lastSeq}`);
      }
    }
    for (const m of welcome.messages) this.record(m, true);
    this.lastSeq = Math.max(this.lastSeq, welcome.lastSeq);
    // Our messages stored before the crash come back in the welcome: they count as acked.
    for (const m of welcome.messages) {
      if (this.pending.has(m.id)) {
        this.acks.set(m.id, m.seq);
        this.pending.delete(m.id);
      }
    }
    for (const [clientMsgId, text] of this.pending) this.transmit(clientMsgId, text);
  }

  private onMessage(m: Message): void {
    if (m.seq !== this.lastSeq + 1) this.violations.push(`message seq ${m.seq} after ${this.lastSeq}`);
    this.record(m, false);
    this.lastSeq = Math.max(this.lastSeq, m.seq);
  }

  private record(m: Message, fromWelcome: boolean): void {
    if (this.messages.has(m.seq) && !fromWelcome) this.violations.push(`seq ${m.seq} received twice`);
    this.messages.set(m.seq, m);
  }
}
