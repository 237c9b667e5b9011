import { eventually } from '../../support/eventually';
import { createSessionTestEnv, type SessionTestEnv } from '../support/session-server';
import { startTestBackend, type TestBackend } from '../support/test-backend';
import { RawFrameClient } from '../support/raw-frame-client';
import { postRequest, SlowClient } from './support/slow-client';

// Attack 3 of issue 15: request bodies sent at a byte every few seconds were held for ever (Fastify's
// and Node's timeouts were 0). With a short configured request timeout (the default is 10 s), every
// such connection must be answered 408 and closed, on the backend and on a session server's HTTP side.
const TIMEOUT_MS = 600;
const SLOW_CLIENTS = 30;

describe('slow requests', () => {
  let backend: TestBackend;
  let sessions: SessionTestEnv;
  const clients: SlowClient[] = [];

  beforeAll(async () => {
    backend = await startTestBackend({ HTTP_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) });
    sessions = await createSessionTestEnv();
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  afterAll(async () => {
    await backend?.app.close();
    await sessions?.dispose();
  });

  it('backend: a body still arriving after the request timeout is answered 408 and the connection closed', async () => {
    const request = postRequest('/api/login', 200);
    const head = request.indexOf('\r\n\r\n') + 4;
    for (let i = 0; i < SLOW_CLIENTS; i++) clients.push(await SlowClient.open(backend.port, request, head + 1, 150));
    const started = Date.now();
    await eventually(() => clients.every((c) => c.closed), TIMEOUT_MS * 6, 'every slow connection closed');
    const held = clients.filter((c) => !c.closed).length;
    expect(held).toBe(0);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 4);
    expect(clients.map((c) => c.status)).toEqual(clients.map(() => 408));
    // The server still serves a whole request.
    const ok = await fetch(`http://127.0.0.1:${backend.port}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"Ada"}',
    });
    expect(ok.status).toBe(201);
  });

  it('session server: slow request heads are answered 408 and closed, open WebSockets are not cut', async () => {
    const server = await sessions.start({ HTTP_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) });
    const port = Number(new URL(server.httpUrl).port);
    const ws = await RawFrameClient.connect(server.urlFor(server.token({ sub: 'u1', name: 'Ada', room: 'slow-room-1' })));
    await ws.next('welcome');
    const request = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'x'.repeat(200) + '\r\n\r\n';
    for (let i = 0; i < SLOW_CLIENTS; i++) clients.push(await SlowClient.open(port, request, 30, 150));
    await eventually(() => clients.every((c) => c.closed), TIMEOUT_MS * 6, 'every slow connection closed');
    expect(clients.filter((c) => c.status === 408)).toHaveLength(SLOW_CLIENTS);
    expect(ws.socket.readyState).toBe(ws.socket.OPEN);
    ws.socket.close();
  });
});
