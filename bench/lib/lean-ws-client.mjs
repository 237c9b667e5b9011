// A minimal WebSocket client for the load generator: one `net` socket, a hand-rolled RFC 6455
// frame parser that walks every frame of a TCP chunk in one loop and hands text payloads out as
// Buffer views (no per-frame stream machinery, no copies, no UTF-8 validation). The generator
// receives ~20× more frames than it sends, so this is where its CPU goes; with `ws` the generator
// saturates about when the raw server does, which would make the harness, not the server, the
// limit. Sending is plain: masked text frames (the mask key is random per connection; the spec
// wants it unpredictable to intermediaries, which a benchmark on loopback does not have).
//
// Same surface as the parts of `ws` the generator uses: on('open'|'message'|'close'|'error'|
// 'unexpected-response'), send(string), close(), terminate(), readyState, bufferedAmount,
// _socket (for bytesRead/bytesWritten).
import { connect } from 'node:net';
import { randomBytes, createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export class LeanWebSocket extends EventEmitter {
  constructor(url) {
    super();
    const u = new URL(url);
    if (u.protocol !== 'ws:') throw new Error(`LeanWebSocket: only ws:// URLs (${u.protocol})`);
    this.readyState = 0;
    this.key = randomBytes(16).toString('base64');
    this.mask = randomBytes(4);
    this.pending = null; // bytes of an incomplete frame carried over to the next chunk
    this.fragments = null;
    this.handshake = '';
    const sock = connect({ host: u.hostname, port: Number(u.port || 80), noDelay: true });
    this._socket = sock;
    sock.on('connect', () => {
      sock.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    sock.on('data', (chunk) => (this.readyState === 0 ? this.onHandshakeData(chunk) : this.onData(chunk)));
    sock.on('error', (err) => this.emit('error', err));
    sock.on('close', () => {
      const was = this.readyState;
      this.readyState = 3;
      if (was !== 3) this.emit('close', this.closeCode ?? 1006);
    });
  }

  get bufferedAmount() {
    return this._socket.writableLength;
  }

  onHandshakeData(chunk) {
    this.handshake += chunk.toString('latin1');
    const end = this.handshake.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.handshake.slice(0, end);
    const status = Number(head.split(' ')[1]);
    if (status !== 101) {
      this.readyState = 3;
      this.emit('unexpected-response', null, { statusCode: status, headers: head });
      this._socket.destroy();
      return;
    }
    const accept = /sec-websocket-accept:\s*(\S+)/i.exec(head)?.[1];
    const expected = createHash('sha1')
      .update(this.key + GUID)
      .digest('base64');
    if (accept !== expected) {
      this.readyState = 3;
      this.emit('error', new Error('bad Sec-WebSocket-Accept'));
      this._socket.destroy();
      return;
    }
    this.readyState = 1;
    this.emit('open');
    const rest = Buffer.from(this.handshake.slice(end + 4), 'latin1');
    this.handshake = '';
    if (rest.length) this.onData(rest);
  }

  onData(chunk) {
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let off = 0;
    const n = buf.length;
    while (n - off >= 2) {
      const b0 = buf[off];
      const b1 = buf[off + 1];
      let len = b1 & 0x7f;
      let hdr = 2;
      if (len === 126) {
        if (n - off < 4) break;
        len = buf.readUInt16BE(off + 2);
        hdr = 4;
      } else if (len === 127) {
        if (n - off < 10) break;
        len = Number(buf.readBigUInt64BE(off + 2));
        hdr = 10;
      }
      if (b1 & 0x80) hdr += 4; // a masked server frame is a protocol error; skip the key anyway
      if (n - off < hdr + len) break;
      const payload = buf.subarray(off + hdr, off + hdr + len);
      off += hdr + len;
      const fin = b0 & 0x80;
      const opcode = b0 & 0x0f;
      if (opcode === 0x1 || opcode === 0x2) {
        if (fin) this.emit('message', payload);
        else this.fragments = [Buffer.from(payload)];
      } else if (opcode === 0x0) {
        this.fragments?.push(Buffer.from(payload));
        if (fin && this.fragments) {
          const whole = Buffer.concat(this.fragments);
          this.fragments = null;
          this.emit('message', whole);
        }
      } else if (opcode === 0x8) {
        this.closeCode = len >= 2 ? payload.readUInt16BE(0) : 1005;
        if (this.readyState === 1) this.writeFrame(0x8, payload.subarray(0, 2));
        this.readyState = 2;
        this._socket.end();
      } else if (opcode === 0x9) {
        this.writeFrame(0xa, payload);
      }
    }
    if (off < n) this.pending = Buffer.from(buf.subarray(off));
  }

  writeFrame(opcode, data) {
    const len = data.length;
    const hdr = len < 126 ? 6 : len < 65536 ? 8 : 14;
    const out = Buffer.allocUnsafe(hdr + len);
    out[0] = 0x80 | opcode;
    if (len < 126) out[1] = 0x80 | len;
    else if (len < 65536) {
      out[1] = 0x80 | 126;
      out.writeUInt16BE(len, 2);
    } else {
      out[1] = 0x80 | 127;
      out.writeBigUInt64BE(BigInt(len), 2);
    }
    const m = this.mask;
    m.copy(out, hdr - 4);
    for (let i = 0; i < len; i++) out[hdr + i] = data[i] ^ m[i & 3];
    this._socket.write(out);
  }

  send(text) {
    if (this.readyState !== 1) return;
    this.writeFrame(0x1, Buffer.from(text));
  }

  close(code = 1000) {
    if (this.readyState !== 1) return;
    const b = Buffer.allocUnsafe(2);
    b.writeUInt16BE(code, 0);
    this.writeFrame(0x8, b);
    this.readyState = 2;
    this.closeCode = code;
    setTimeout(() => this._socket.destroy(), 1000).unref();
  }

  terminate() {
    this.readyState = 3;
    this._socket.destroy();
  }
}
