#!/usr/bin/env node
// The baseline: the least a WebSocket fan-out server can do with the `ws` library.
//
//   node bench/raw-ws-server.mjs [--port 0] [--host 127.0.0.1]
//   → prints "LISTENING <port>" on stdout when ready.
//
// Clients connect to ws://host:port/<roomId>?user=<name> (or ?room=<roomId>). Semantics, chosen to do
// the same work per frame as our session server on the wire, and nothing more:
//   - on connect: a `welcome` frame (empty history, members: []);
//   - on `{"event":"send","data":{"text","clientMsgId"}}`: the frame is parsed, wrapped in the same
//     `message` envelope as ours ({seq,id,userId,name,text,ts}), serialized ONCE and sent to every
//     member of the room, the sender included; the sender also gets `{"event":"ack"}`.
// What it does NOT do (and ours does): authentication, validation, rate limiting, history,
// persistence, presence events, heartbeats to a backend. Its only state is the set of sockets per
// room and a per-room sequence counter.
import { WebSocketServer } from 'ws';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const port = Number(opt('port', process.env.PORT ?? 0));
const host = opt('host', '127.0.0.1');

/** roomId → { members: Set<WebSocket>, seq: number } */
const rooms = new Map();
let nextUser = 1;
const LIMITS = { maxMessageLength: 4000, maxMembers: 100, maxFrameBytes: 65536 };

const wss = new WebSocketServer({ host, port, maxPayload: LIMITS.maxFrameBytes });

wss.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const roomId = url.searchParams.get('room') || decodeURIComponent(url.pathname.slice(1)) || 'default';
  const user = { id: `u${nextUser++}`, name: url.searchParams.get('user') || 'guest' };
  let room = rooms.get(roomId);
  if (!room) rooms.set(roomId, (room = { members: new Set(), seq: 0 }));
  room.members.add(ws);

  ws.send(
    JSON.stringify({
      event: 'welcome',
      data: { roomId, serverId: 'raw', you: user, members: [user], messages: [], lastSeq: room.seq, limits: LIMITS },
    }),
  );

  ws.on('message', (raw) => {
    let frame;
    try {
      frame = JSON.parse(raw.toString());
    } catch {
      return;
    }
    if (frame?.event !== 'send' || !frame.data) return;
    const { text, clientMsgId } = frame.data;
    const seq = ++room.seq;
    const message = { seq, id: clientMsgId, userId: user.id, name: user.name, text, ts: Date.now() };
    const out = Buffer.from(JSON.stringify({ event: 'message', data: message }));
    for (const m of room.members) if (m.readyState === 1) m.send(out, { binary: false });
    ws.send(JSON.stringify({ event: 'ack', data: { clientMsgId, seq } }));
  });

  ws.on('close', () => {
    room.members.delete(ws);
    if (room.members.size === 0) rooms.delete(roomId);
  });
  ws.on('error', () => {});
});

wss.on('listening', () => {
  process.stdout.write(`LISTENING ${wss.address().port}\n`);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    for (const c of wss.clients) c.terminate();
    wss.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  });
}
