#!/usr/bin/env node
// Load generator: R rooms × U WebSocket clients, senders at a fixed total rate, every receiver
// records end-to-end latency of every `message`.
//
// Used by run.mjs as a forked child (IPC commands below, so it can be pinned to its own core), or
// standalone:
//   node bench/load.mjs --raw ws://127.0.0.1:PORT   --rooms 50 --users 20 --rate 1000 --seconds 10
//   node bench/load.mjs --api http://127.0.0.1:8080 --rooms 50 --users 20 --rate 1000 --seconds 10
//
// Latency: each `send` carries its send time (performance.now() of this process) in its text, so
// the receiver (same process, same clock) computes end-to-end latency without a lookup table.
// Text format: "B|<phase>|<sendTimeMs>|<padding>" padded to --text-bytes characters.
import WebSocket from 'ws';
import { LeanWebSocket } from './lib/lean-ws-client.mjs';
import { Samples } from './lib/percentiles.mjs';
import { BackendApi, mapLimit, withQuery } from './lib/http-api.mjs';
import { connectionPool, pacedRequests } from './lib/paced-http.mjs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/** This generator's own GC pauses and event-loop delay during a phase: a stalled generator reads its deliveries late. */
function watchOwnLoop() {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const gc = { count: 0, maxMs: 0, totalMs: 0 };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.totalMs += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  return () => {
    loop.disable();
    obs.disconnect();
    return { loopDelayMaxMs: loop.max / 1e6, loopDelayP99Ms: loop.percentile(99) / 1e6, gc };
  };
}

const MARKER = Buffer.from('"text":"B|');
const PIPE = 0x7c;
const TS_KEY = Buffer.from('"ts":');
const RATE_LIMIT_PER_CONN = Number(process.env.RATE_PER_SECOND || 10);

export class LoadGenerator {
  /**
   * @param {object} o
   * @param {'raw'|'ours'} o.target
   * @param {string} [o.rawUrl]  ws://host:port of the raw server
   * @param {string[]} [o.rawUrls]  several raw servers: room r goes to rawUrls[r % n]
   * @param {string} [o.apiUrl]  http://host:port of our backend
   * @param {number} o.rooms
   * @param {number} o.usersPerRoom
   * @param {number} [o.textBytes]
   * @param {number} [o.concurrency] session requests / connects in flight
   * @param {'lean'|'ws'|'sdk'} [o.client] WebSocket client: the lean one (default), the `ws` library, or the client SDK (libs/client)
   * @param {(s: string) => void} [o.log]
   */
  constructor(o) {
    this.o = { textBytes: 100, concurrency: 25, client: 'lean', log: () => {}, ...o };
    this.clients = [];
    this.roomIds = [];
    this.phase = null;
    this.phaseNo = 0;
    this.unexpectedCloses = {};
    this.log = this.o.log;
  }

  /** Logs in (ours), creates rooms, opens every client, waits for every `welcome`. */
  async connect() {
    const { target, rooms, usersPerRoom, concurrency } = this.o;
    const t0 = performance.now();
    const specs = [];
    let loginMs = 0;
    if (target === 'ours') {
      this.api = new BackendApi(this.o.apiUrl);
      const owner = await this.api.login('bench-owner');
      this.roomIds = [];
      for (let r = 0; r < rooms; r++) this.roomIds.push((await this.api.createRoom(owner.token, `bench room ${r}`)).roomId);
      for (let r = 0; r < rooms; r++) for (let u = 0; u < usersPerRoom; u++) specs.push({ room: r, name: `bench ${r}-${u}` });
      let done = 0;
      const tl = performance.now();
      const every = progressStep(specs.length);
      await mapLimit(specs, concurrency, async (s) => {
        s.access = (await this.api.login(s.name)).token;
        if (++done % every === 0) this.log(`  logged in ${done}/${specs.length}`);
      });
      loginMs = performance.now() - tl;
    } else {
      this.roomIds = Array.from({ length: rooms }, (_, r) => `bench-room-${r}-${Math.random().toString(36).slice(2, 8)}`);
      for (let r = 0; r < rooms; r++) for (let u = 0; u < usersPerRoom; u++) specs.push({ room: r, name: `bench ${r}-${u}` });
    }
    this.roomSize = new Array(rooms).fill(0);
    const perClient = new Samples(specs.length);
    const sessionMs = new Samples(specs.length);
    let opened = 0;
    const every = progressStep(specs.length);
    const tc = performance.now();
    this.clients = await mapLimit(specs, concurrency, async (s, i) => {
      const c = await this.openClient(s, i, sessionMs);
      perClient.add(c.connectMs);
      if (++opened % every === 0) this.log(`  connected ${opened}/${specs.length}`);
      return c;
    });
    const connectWallMs = performance.now() - tc;
    return {
      connections: this.clients.length,
      rooms,
      usersPerRoom,
      loginWallMs: loginMs,
      connectWallMs,
      totalSetupMs: performance.now() - t0,
      connectMs: perClient.summary(),
      sessionRequestMs: target === 'ours' ? sessionMs.summary() : null,
      rerouted: this.rerouted ?? 0,
      retried503: this.retried503 ?? 0,
      welcomeTimeouts: this.welcomeTimeouts ?? 0,
    };
  }

  async openClient(spec, idx, sessionMs) {
    if (this.o.client === 'sdk') return this.openSdkClient(spec, idx, sessionMs);
    const t0 = performance.now();
    // As every client of the contract does (the SDK's RoomConnection): a room that moved (4404,
    // 1012) before the welcome is asked for again at the backend, a 503 ("try again shortly") is
    // tried again after its Retry-After, and so is a socket that got no welcome in time. Each is
    // counted in connect's result (`rerouted`, `retried503`, `welcomeTimeouts`): under a connect
    // storm they say the product was overloaded.
    for (let attempt = 1; ; attempt++) {
      try {
        const c = await this.openOnce(spec, idx, sessionMs);
        c.connectMs = performance.now() - t0;
        return c;
      } catch (err) {
        if (this.o.target !== 'ours' || attempt >= 10) throw err;
        if (err.closeCode === 4404 || err.closeCode === 1012) this.rerouted = (this.rerouted ?? 0) + 1;
        else if (err.status === 503) {
          this.retried503 = (this.retried503 ?? 0) + 1;
          await new Promise((r) => setTimeout(r, err.retryAfterMs ?? 1000));
        } else if (err.welcomeTimeout) this.welcomeTimeouts = (this.welcomeTimeouts ?? 0) + 1;
        else throw err;
      }
    }
  }

  async openOnce(spec, idx, sessionMs) {
    let url;
    if (this.o.target === 'ours') {
      // Session tokens are short-lived: fetch one just before connecting.
      const ts = performance.now();
      const sess = await this.api.session(spec.access, this.roomIds[spec.room]);
      sessionMs.add(performance.now() - ts);
      url = withQuery(sess.url, { token: sess.token });
    } else {
      const rawUrl = this.o.rawUrls?.length ? this.o.rawUrls[spec.room % this.o.rawUrls.length] : this.o.rawUrl;
      url = withQuery(`${rawUrl.replace(/\/$/, '')}/${encodeURIComponent(this.roomIds[spec.room])}`, { user: spec.name });
    }
    const c = { idx, room: spec.room, name: spec.name, ws: null, sent: 0, open: false };
    c.send = (text, clientMsgId) => c.ws.send(JSON.stringify({ event: 'send', data: { text, clientMsgId } }));
    await new Promise((resolve, reject) => {
      const ws = this.o.client === 'ws' ? new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true }) : new LeanWebSocket(url);
      c.ws = ws;
      const timer = setTimeout(() => {
        reject(Object.assign(new Error(`no welcome within 15 s for ${spec.name}`), { welcomeTimeout: true }));
        ws.terminate?.() ?? ws.close();
      }, 15000);
      ws.on('message', (data) => this.onFrame(c, data));
      c.onWelcome = () => {
        clearTimeout(timer);
        c.open = true;
        this.roomSize[c.room]++;
        resolve();
      };
      ws.on('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`upgrade refused: HTTP ${res.statusCode} for ${spec.name}`));
      });
      ws.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`ws error for ${spec.name}: ${err.message}`));
      });
      ws.on('close', (code) => {
        clearTimeout(timer);
        if (c.open) this.roomSize[c.room]--;
        if (c.open && !this.closing) this.unexpectedCloses[code] = (this.unexpectedCloses[code] || 0) + 1;
        c.open = false;
        reject(Object.assign(new Error(`closed ${code} before welcome for ${spec.name}`), { closeCode: code }));
      });
    });
    return c;
  }

  /**
   * A client that is the SDK's RoomConnection (`--client sdk`): what an app built on the SDK costs
   * the generator, against the lean client's raw frames (docs/bench/README.md).
   */
  async openSdkClient(spec, idx, sessionMs) {
    const t0 = performance.now();
    const { RoomConnection } = await import('../libs/client/dist/index.js');
    const sessions = {
      roomSession: async (roomId) => {
        const ts = performance.now();
        const session = await this.api.session(spec.access, roomId);
        sessionMs.add(performance.now() - ts);
        return session;
      },
    };
    const room = new RoomConnection({ roomId: this.roomIds[spec.room], sessions });
    const c = { idx, room: spec.room, name: spec.name, conn: room, sent: 0, open: false };
    c.send = (text, clientMsgId) => room.send(text, { clientMsgId }).catch(() => {});
    room.on('message', (m) => this.onSdkMessage(m));
    room.on('ack', () => this.phase && this.phase.acks++);
    room.on('state', (state) => {
      if (c.open && state.status !== 'live' && !this.closing) this.unexpectedCloses[state.status] = (this.unexpectedCloses[state.status] || 0) + 1;
    });
    await room.connect();
    c.open = true;
    this.roomSize[c.room]++;
    c.connectMs = performance.now() - t0;
    return c;
  }

  onSdkMessage(m) {
    const p = this.phase;
    if (!p) return;
    const now = performance.now();
    if (!m.text.startsWith('B|')) {
      p.other++;
      return;
    }
    const [, tag, sentAt] = m.text.split('|', 3);
    if (tag !== p.tag) {
      p.stale++;
      return;
    }
    p.received++;
    p.lastRecvAt = now;
    p.latency.add(now - Number(sentAt));
  }

  onFrame(c, data) {
    const now = performance.now();
    const p = this.phase;
    // Fast path for the hot frame (a bench `message`): find the marker in the raw bytes instead of
    // decoding and parsing ~200 bytes of JSON, so the generator is not the first thing to saturate.
    // The tag and send time are ASCII, so byte offsets are character offsets.
    const at = data.indexOf(MARKER);
    if (at >= 0) {
      if (!p) return;
      const tagStart = at + MARKER.length;
      const a = data.indexOf(PIPE, tagStart);
      const b = data.indexOf(PIPE, a + 1);
      if (a < 0 || b < 0) {
        p.badFrames++;
        return;
      }
      if (data.latin1Slice(tagStart, a) !== p.tag) {
        p.stale++;
        return;
      }
      p.received++;
      p.lastRecvAt = now;
      const sentAt = Number(data.latin1Slice(a + 1, b));
      p.latency.add(now - sentAt);
      if ((p.received & 7) === 0) {
        const k = data.indexOf(TS_KEY);
        if (k >= 0) {
          let e = k + TS_KEY.length;
          while (data[e] >= 0x30 && data[e] <= 0x39) e++;
          const stamp = Number(data.latin1Slice(k + TS_KEY.length, e)) - performance.timeOrigin;
          p.toStamp.add(stamp - sentAt);
          p.fromStamp.add(now - stamp);
        }
      }
      return;
    }
    let f;
    try {
      f = JSON.parse(data.toString());
    } catch {
      if (p) p.badFrames++;
      return;
    }
    switch (f.event) {
      case 'message':
        if (p) p.other++; // not one of ours (another text shape): counted, not timed
        return;
      case 'ack':
        if (p) p.acks++;
        return;
      case 'error':
        if (p) p.errors[f.data?.code] = (p.errors[f.data?.code] || 0) + 1;
        return;
      case 'welcome':
        c.onWelcome?.();
        c.onWelcome = null;
        return;
      default:
        if (p) p.other++;
    }
  }

  /**
   * Senders send at `rate` msgs/s in total for `seconds`, round-robin over every open client (so
   * each client sends rate/N per second, which must stay under the per-connection limit); then
   * waits up to `drainMs` for every expected delivery.
   */
  async runPhase({ rate, seconds, drainMs = 5000, progress = true }) {
    const senders = this.clients.filter((c) => c.open);
    if (senders.length === 0) throw new Error('no open clients');
    const perConn = rate / senders.length;
    if (perConn > RATE_LIMIT_PER_CONN) {
      throw new Error(
        `rate ${rate}/s over ${senders.length} connections = ${perConn.toFixed(1)}/s each, above the per-connection limit ${RATE_LIMIT_PER_CONN}/s`,
      );
    }
    const tag = `${++this.phaseNo}${Math.random().toString(36).slice(2, 6)}`;
    const pad = 'x'.repeat(this.o.textBytes);
    const p = (this.phase = {
      tag,
      sent: 0,
      expected: 0,
      received: 0,
      acks: 0,
      stale: 0,
      other: 0,
      badFrames: 0,
      errors: {},
      latency: new Samples(1 << 20),
      toStamp: new Samples(1 << 16),
      fromStamp: new Samples(1 << 16),
      lastRecvAt: 0,
      maxLagMs: 0,
    });
    const bytes0 = this.wireBytes();
    const closes0 = { ...this.unexpectedCloses };
    const total = Math.round(rate * seconds);
    const stopWatching = watchOwnLoop();
    const start = performance.now();
    p.startAt = start;
    let rr = 0;
    let lastProgress = start;
    await new Promise((resolve) => {
      const tick = () => {
        const now = performance.now();
        const due = Math.min(total, Math.floor(((now - start) * rate) / 1000)) - p.sent;
        if (due > 0) {
          const lag = now - (start + (p.sent * 1000) / rate);
          if (lag > p.maxLagMs) p.maxLagMs = lag;
        }
        for (let k = 0; k < due; k++) {
          let c = senders[rr++ % senders.length];
          for (let tries = 0; !c.open && tries < senders.length; tries++) c = senders[rr++ % senders.length];
          if (!c.open) break;
          const t = performance.now();
          const text = `B|${tag}|${t.toFixed(3)}|`;
          c.send(text + pad.slice(text.length), `${tag}.${c.idx}.${c.sent++}`);
          p.sent++;
          p.expected += this.roomSize[c.room];
        }
        if (progress && now - lastProgress >= 2000) {
          lastProgress = now;
          this.log(`    ${((now - start) / 1000).toFixed(0)}/${seconds}s sent ${p.sent} received ${p.received}/${p.expected}`);
        }
        if (p.sent >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    p.sendEndAt = performance.now();
    const drainStart = performance.now();
    while (p.received < p.expected && performance.now() - drainStart < drainMs) await sleep(20);
    p.drainMs = performance.now() - drainStart;
    await sleep(50); // let stragglers (duplicates) show up before counting
    this.phase = null;
    const own = stopWatching();
    const bytes1 = this.wireBytes();
    const closes = {};
    for (const [k, v] of Object.entries(this.unexpectedCloses)) if (v - (closes0[k] || 0) > 0) closes[k] = v - (closes0[k] || 0);
    const windowMs = Math.max(p.sendEndAt - start, (p.lastRecvAt || p.sendEndAt) - start);
    return {
      offeredRate: rate,
      seconds,
      connections: senders.length,
      perConnectionRate: perConn,
      sent: p.sent,
      acks: p.acks,
      expected: p.expected,
      received: p.received,
      lost: Math.max(0, p.expected - p.received),
      duplicates: Math.max(0, p.received - p.expected),
      deliveredPerSec: (p.received * 1000) / windowMs,
      sentPerSec: (p.sent * 1000) / (p.sendEndAt - start),
      drainMs: p.drainMs,
      maxGeneratorLagMs: p.maxLagMs,
      generatorLoop: own,
      latencyMs: p.latency.summary(),
      // Where the time goes, from every 8th delivery: send → the server's `ts` stamp on the message,
      // and stamp → received. `ts` is the server's Date.now() (1 ms resolution, same machine clock).
      serverStampSplitMs: { toStamp: p.toStamp.summary(), fromStamp: p.fromStamp.summary() },
      bytesReceived: bytes1.read - bytes0.read,
      bytesSent: bytes1.written - bytes0.written,
      bytesPerDelivery: p.received ? (bytes1.read - bytes0.read) / p.received : null,
      errors: p.errors,
      unexpectedCloses: closes,
      staleFrames: p.stale,
      otherFrames: p.other,
      badFrames: p.badFrames,
    };
  }

  /** TCP payload bytes (WebSocket framing included) read and written by every client socket. */
  wireBytes() {
    let read = 0;
    let written = 0;
    for (const c of this.clients) {
      const s = c.ws?._socket;
      if (s) {
        read += s.bytesRead;
        written += s.bytesWritten;
      }
    }
    return { read, written };
  }

  async close() {
    this.closing = true;
    for (const c of this.clients) {
      try {
        if (c.conn) c.conn.close();
        else c.ws.terminate();
      } catch {
        /* already gone */
      }
    }
    this.clients = [];
  }
}

/** A progress line every 200 clients, or every twentieth of them when there are many. */
const progressStep = (total) => Math.max(200, Math.ceil(total / 20 / 100) * 100);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- child-process mode: commands from run.mjs over IPC ----
if (process.send && process.argv.includes('--ipc')) {
  let gen = null;
  let httpPool = null;
  const log = (s) => process.send({ progress: s });
  process.on('message', async (m) => {
    try {
      let result;
      if (m.cmd === 'connect') {
        gen = new LoadGenerator({ ...m.args, log });
        result = await gen.connect();
      } else if (m.cmd === 'phase') result = await gen.runPhase(m.args);
      else if (m.cmd === 'http') {
        // The get-or-start load: one keep-alive pool from the warm-up through every run (see
        // connectionPool), in this process so that the orchestrator's GC and samplers do not stop
        // its event loop (they still share its core).
        httpPool ??= connectionPool();
        const { progressEvery = 0, label = '', ...args } = m.args;
        result = await pacedRequests({
          ...args,
          pool: httpPool,
          onSecond: (sec) => progressEvery && sec % progressEvery === 0 && log(`${label}${sec}/${args.seconds} s`),
        });
      } else if (m.cmd === 'close') {
        await gen?.close();
        gen = null;
        result = true;
      } else if (m.cmd === 'exit') {
        await gen?.close();
        httpPool?.destroy();
        process.exit(0);
      } else throw new Error(`unknown command ${m.cmd}`);
      process.send({ id: m.id, result });
    } catch (err) {
      process.send({ id: m.id, error: err?.stack || String(err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}

// ---- standalone mode ----
import { fileURLToPath } from 'node:url';
if (process.argv[1] === fileURLToPath(import.meta.url) && !process.argv.includes('--ipc')) {
  const a = process.argv.slice(2);
  const opt = (n, d) => (a.includes(`--${n}`) ? a[a.indexOf(`--${n}`) + 1] : d);
  const gen = new LoadGenerator({
    target: opt('api') ? 'ours' : 'raw',
    rawUrl: opt('raw'),
    apiUrl: opt('api'),
    rooms: Number(opt('rooms', 10)),
    usersPerRoom: Number(opt('users', 10)),
    textBytes: Number(opt('text-bytes', 100)),
    client: opt('client', 'lean'),
    log: (s) => console.error(s),
  });
  const conn = await gen.connect();
  console.error(`connected ${conn.connections} in ${conn.connectWallMs.toFixed(0)} ms`);
  const res = await gen.runPhase({ rate: Number(opt('rate', 100)), seconds: Number(opt('seconds', 5)) });
  console.log(JSON.stringify({ connect: conn, phase: res }, null, 2));
  await gen.close();
  process.exit(0);
}
