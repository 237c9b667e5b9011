import { connect, type Socket } from 'node:net';

/**
 * A client that sends an HTTP request slowly: the head at once (or `headFirst` of it), then one byte
 * of what remains every `everyMs`, the way a slowloris attack holds a connection. It records
 * whether the server closed the connection and what the server answered.
 */
export class SlowClient {
  closed = false;
  answer = '';
  private timer?: NodeJS.Timeout;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d) => (this.answer += d.toString('latin1')));
    socket.on('close', () => {
      this.closed = true;
      clearInterval(this.timer);
    });
    socket.on('error', () => undefined);
  }

  /** Opens the connection and starts trickling `request` after its first `headFirst` bytes. */
  static async open(port: number, request: string, headFirst: number, everyMs: number, localAddress?: string): Promise<SlowClient> {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new SlowClient(socket);
    socket.write(request.slice(0, headFirst));
    let sent = headFirst;
    client.timer = setInterval(() => {
      if (sent < request.length && !client.closed) socket.write(request[sent++]);
    }, everyMs);
    return client;
  }

  /** The status code of the server's answer, if one came. */
  get status(): number | undefined {
    const m = /^HTTP\/1\.1 (\d{3})/.exec(this.answer);
    return m ? Number(m[1]) : undefined;
  }

  destroy(): void {
    clearInterval(this.timer);
    this.socket.destroy();
  }
}

/** A POST whose declared body is `bodyBytes` long (its body is all `x`). */
export function postRequest(path: string, bodyBytes: number): string {
  const body = `{"name":"${'x'.repeat(Math.max(0, bodyBytes - 11))}"}`;
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}
