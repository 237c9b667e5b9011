import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { WebSocket as WsWebSocket, WebSocketServer } from 'ws';
import {
  ClientEvent,
  ClientEventV2,
  ClientEventV3,
  CloseCode,
  FrameErrorCode,
  FrameErrorCodeV2,
  ServerEvent,
  ServerEventV2,
  ServerEventV3,
  type ClientEventMap,
  type ClientEventMapV2,
  type ClientEventMapV3,
  type MessageV2,
  type ReadMarker,
  type RoomLimits,
  type ServerEventMap,
  type ServerEventMapV2,
  type ServerEventMapV3,
  type UserRef,
} from '@app/shared';
import type { AnyWelcomeFrameData } from '../../../apps/session/src/protocol/server-frame';
import { ASYNCAPI_PATH, contractMessages, FrameContract, loadAsyncApiDocument, type ContractMessage, type Direction } from '../../support/frame-contract';
import { sendsMalformedFrames, takeFrameViolations } from '../../support/frame-exemptions';

/**
 * docs/asyncapi.yaml against libs/shared. The field lists below are typed from the shared
 * interfaces, so the compiler refuses them when a payload gains, loses or changes the optionality
 * of a field; the test then holds the document to the same lists, both ways.
 */

type RequiredKeys<T> = { [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? never : K }[keyof T];
type OptionalKeys<T> = Exclude<keyof T, RequiredKeys<T>>;
interface Fields<T> {
  required: Record<RequiredKeys<T>, true>;
  optional: Record<OptionalKeys<T>, true>;
}

/** Every event both ways, versions 1 to 3 (`read` is a name in both directions, as `typing`, `history`, `update` and `cursor`). */
type AllClientEventMap = ClientEventMap & ClientEventMapV2 & ClientEventMapV3;
/**
 * What the session server sends: `welcome` always with every version-2 field (server-frame.ts,
 * WelcomeFrameData), `message` as a version-2 Message (its v2 fields optional: messages stored by
 * a version-1 server have no `rev`, and `editedAt`, `deleted`, `reactions` come and go).
 */
type AllServerEventMap = Omit<ServerEventMap, 'welcome' | 'message'> & {
  welcome: AnyWelcomeFrameData;
  message: MessageV2;
} & ServerEventMapV2 &
  ServerEventMapV3;

const clientPayloads: { [E in keyof AllClientEventMap]: Fields<AllClientEventMap[E]> } = {
  send: { required: { text: true, clientMsgId: true }, optional: {} },
  typing: { required: {}, optional: {} },
  history: { required: { before: true }, optional: { limit: true } },
  read: { required: { seq: true }, optional: {} },
  edit: { required: { seq: true, text: true }, optional: {} },
  delete: { required: { seq: true }, optional: {} },
  react: { required: { seq: true, emoji: true, on: true }, optional: {} },
  update: { required: { update: true, clientMsgId: true }, optional: {} },
  cursor: { required: { x: true, y: true }, optional: {} },
};

const serverPayloads: { [E in keyof AllServerEventMap]: Fields<AllServerEventMap[E]> } = {
  welcome: {
    required: {
      roomId: true,
      kind: true,
      serverId: true,
      you: true,
      members: true,
      lastSeq: true,
      limits: true,
      epoch: true,
      name: true,
    },
    // A chat's welcome has the first five (the document requires them when `kind` is not `board`), a board's one of the last two.
    optional: { messages: true, rev: true, readSeq: true, reads: true, changed: true, state: true, updates: true },
  },
  message: {
    required: { seq: true, id: true, userId: true, name: true, text: true, ts: true },
    optional: { rev: true, editedAt: true, deleted: true, reactions: true },
  },
  ack: { required: { clientMsgId: true, seq: true }, optional: {} },
  joined: { required: { user: true }, optional: {} },
  left: { required: { user: true }, optional: {} },
  typing: { required: { user: true }, optional: {} },
  history: { required: { messages: true, hasMore: true }, optional: {} },
  error: { required: { code: true, message: true }, optional: {} },
  moved: { required: {}, optional: {} },
  read: { required: { userId: true, seq: true }, optional: {} },
  edited: { required: { seq: true, text: true, editedAt: true, rev: true }, optional: {} },
  deleted: { required: { seq: true, rev: true }, optional: {} },
  reaction: { required: { seq: true, emoji: true, userId: true, on: true, rev: true }, optional: {} },
  update: { required: { seq: true, update: true, userId: true }, optional: {} },
  cursor: { required: { userId: true, x: true, y: true }, optional: {} },
};

/** Types that payloads nest, by their schema name in the document. */
const nestedSchemas: { Message: Fields<MessageV2>; UserRef: Fields<UserRef>; RoomLimits: Fields<RoomLimits>; ReadMarker: Fields<ReadMarker> } = {
  Message: serverPayloads.message,
  UserRef: { required: { id: true, name: true }, optional: {} },
  RoomLimits: { required: { maxMessageLength: true, maxMembers: true, maxFrameBytes: true }, optional: {} },
  ReadMarker: { required: { userId: true, seq: true }, optional: {} },
};

const doc = loadAsyncApiDocument();
const messages = contractMessages(doc);
const schemas = doc.components.schemas;

function payloadSchemaOf(m: ContractMessage): any {
  const ref: string = schemas[m.schema].properties.data.$ref;
  return schemas[ref.split('/').pop() as string];
}

/** Properties of a schema that describe what the servers do now (not `x-status: planned`). */
function builtProperties(schema: any): string[] {
  return Object.entries<any>(schema.properties ?? {})
    .filter(([, p]) => p['x-status'] !== 'planned')
    .map(([name]) => name)
    .sort();
}

function expectSchemaMatches(where: string, schema: any, fields: Fields<any>): void {
  const required = Object.keys(fields.required).sort();
  const all = [...required, ...Object.keys(fields.optional)].sort();
  expect({ where, required: [...(schema.required ?? [])].sort() }).toEqual({ where, required });
  expect({ where, properties: builtProperties(schema) }).toEqual({ where, properties: all });
}

describe('docs/asyncapi.yaml', () => {
  it('parses with @asyncapi/parser: no errors, no warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(ASYNCAPI_PATH, 'utf8'));
    // Spectral severities: 0 error, 1 warning, 2 information, 3 hint.
    const serious = diagnostics.filter((d) => Number(d.severity) <= 1).map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
    expect(serious).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it("carries the package's version", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    expect(doc.info.version).toBe(pkg.version);
  });

  it.each<[Direction, string[]]>([
    ['client→server', [...Object.values(ClientEvent), ...Object.values(ClientEventV2), ...Object.values(ClientEventV3)]],
    ['server→client', [...Object.values(ServerEvent), ...Object.values(ServerEventV2), ...Object.values(ServerEventV3)]],
  ])('has one message per %s event of libs/shared (versions 1 to 3), and none the servers do not have (except planned ones)', (direction, events) => {
    const ours = messages.filter((m) => m.direction === direction);
    const built = ours.filter((m) => !m.planned).map((m) => m.event);
    expect(new Set(events).size).toBe(events.length);
    expect([...built].sort()).toEqual([...events].sort());
    // A planned message whose event now exists in libs/shared must lose its `x-status: planned`.
    expect(ours.filter((m) => m.planned && events.includes(m.event)).map((m) => m.key)).toEqual([]);
  });

  it.each(Object.entries(clientPayloads))('client→server %s: data has exactly the fields of its shared type', (event, fields) => {
    const m = messages.find((x) => x.direction === 'client→server' && x.event === event);
    expectSchemaMatches(`client→server ${event}`, payloadSchemaOf(m!), fields as Fields<any>);
  });

  it.each(Object.entries(serverPayloads))('server→client %s: data has exactly the fields of its shared type', (event, fields) => {
    const m = messages.find((x) => x.direction === 'server→client' && x.event === event);
    expectSchemaMatches(`server→client ${event}`, payloadSchemaOf(m!), fields as Fields<any>);
  });

  it.each(Object.entries(nestedSchemas))('schema %s has exactly the fields of its shared type', (name, fields) => {
    expectSchemaMatches(name, schemas[name], fields as Fields<any>);
  });

  it('lists exactly the error codes of FrameErrorCode and FrameErrorCodeV2', () => {
    const codes = [...Object.values(FrameErrorCode), ...Object.values(FrameErrorCodeV2)];
    expect(new Set(codes).size).toBe(codes.length);
    expect([...schemas.ErrorPayload.properties.code.enum].sort()).toEqual(codes.sort());
  });

  it('documents every close code', () => {
    const description = (doc.info as { description?: string }).description ?? '';
    const undocumented = Object.values(CloseCode).filter((code) => !new RegExp(`^\\| ${code}[ ,]`, 'm').test(description));
    expect(undocumented).toEqual([]);
  });

  it('documents the connect query: token required, since and rev', () => {
    const query = (doc.channels.room as any).bindings.ws.query;
    expect(query.required).toEqual(['token']);
    expect(Object.keys(query.properties).sort()).toEqual(['rev', 'since', 'token']);
    // All three are built (`rev` with version 2).
    expect(Object.values<any>(query.properties).filter((p) => p['x-status'] === 'planned')).toEqual([]);
  });

  describe('frame validation (what the integration setup uses on every frame)', () => {
    const contract = new FrameContract(doc);
    const message: MessageV2 = { seq: 1, id: 'c-1', userId: 'u-1', name: 'Ada', text: 'hi', ts: 1, rev: 1 };

    it('accepts frames the servers and clients send', () => {
      expect(contract.problem('client→server', JSON.stringify({ event: 'send', data: { text: 'hi', clientMsgId: 'c-1' } }))).toBeNull();
      expect(contract.problem('client→server', JSON.stringify({ event: 'typing', data: {} }))).toBeNull();
      expect(contract.problem('server→client', JSON.stringify({ event: 'message', data: message }))).toBeNull();
      expect(contract.problem('server→client', JSON.stringify({ event: 'moved', data: {} }))).toBeNull();
      expect(contract.problem('server→client', JSON.stringify({ event: 'error', data: { code: 'invalid', message: 'x' } }))).toBeNull();
      // Version 2.
      expect(contract.problem('client→server', JSON.stringify({ event: 'read', data: { seq: 0 } }))).toBeNull();
      expect(contract.problem('client→server', JSON.stringify({ event: 'react', data: { seq: 1, emoji: '👍', on: true } }))).toBeNull();
      expect(contract.problem('server→client', JSON.stringify({ event: 'read', data: { userId: 'u-1', seq: 1 } }))).toBeNull();
      const edited = { ...message, text: 'hey', editedAt: 2, rev: 3, reactions: { '👍': ['u-1', 'u-2'] } };
      expect(contract.problem('server→client', JSON.stringify({ event: 'message', data: edited }))).toBeNull();
      expect(contract.problem('server→client', JSON.stringify({ event: 'message', data: { ...message, text: '', deleted: true } }))).toBeNull();
      expect(contract.problem('server→client', JSON.stringify({ event: 'error', data: { code: 'not_found', message: 'x' } }))).toBeNull();
    });

    it('refuses frames the document does not describe', () => {
      expect(contract.problem('client→server', 'not json')).toBe('not JSON');
      expect(contract.problem('client→server', JSON.stringify({ event: 'shout', data: {} }))).toMatch(/not a client→server message/);
      expect(contract.problem('client→server', JSON.stringify({ event: 'welcome', data: {} }))).toMatch(/not a client→server message/);
      expect(contract.problem('client→server', JSON.stringify({ event: 'history', data: { before: 0 } }))).toMatch(/before/);
      expect(contract.problem('client→server', JSON.stringify({ event: 'typing', data: { x: 1 } }))).not.toBeNull();
      expect(contract.problem('server→client', JSON.stringify({ event: 'message', data: { ...message, seq: '1' } }))).toMatch(/seq/);
      expect(contract.problem('server→client', JSON.stringify({ event: 'error', data: { code: 'oops', message: 'x' } }))).toMatch(/code/);
      expect(contract.problem('server→client', JSON.stringify({ event: 'ack', data: { seq: 1 }, extra: 1 }))).not.toBeNull();
      // Version 2.
      expect(contract.problem('client→server', JSON.stringify({ event: 'react', data: { seq: 1, emoji: '👍' } }))).toMatch(/on/);
      expect(contract.problem('client→server', JSON.stringify({ event: 'edit', data: { seq: 0, text: 'x' } }))).toMatch(/seq/);
      expect(contract.problem('server→client', JSON.stringify({ event: 'message', data: { ...message, deleted: false } }))).toMatch(/deleted/);
      expect(contract.problem('server→client', JSON.stringify({ event: 'deleted', data: { seq: 1 } }))).toMatch(/rev/);
    });
  });
});

describe('the frame check of the integration tests (frame-contract.setup.ts)', () => {
  let server: WebSocketServer;
  let url: string;

  beforeAll(async () => {
    // A fake session server whose every reply breaks the document; it echoes what it receives, wrapped.
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('connection', (socket) => {
      socket.send(JSON.stringify({ event: 'welcome', data: { roomId: 'r' } }));
      socket.on('message', () => socket.send(JSON.stringify({ event: 'shout', data: {} })));
    });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function exchange(open: () => { send(text: string): void; close(): void; onReply(cb: () => void): void; onOpen(cb: () => void): void }) {
    const socket = open();
    let replies = 0;
    await new Promise<void>((resolve) => {
      socket.onReply(() => {
        if (++replies === 2) resolve();
      });
      socket.onOpen(() => socket.send(JSON.stringify({ event: 'send', data: { text: '' } })));
    });
    socket.close();
    return takeFrameViolations();
  }

  it('catches frames both ways on a `ws` client', async () => {
    const violations = await exchange(() => {
      const ws = new WsWebSocket(url);
      return { send: (t) => ws.send(t), close: () => ws.close(), onReply: (cb) => ws.on('message', cb), onOpen: (cb) => ws.once('open', cb) };
    });
    expect(violations.join('\n')).toMatch(/server→client \{"event":"welcome".*must have required property 'serverId'/s);
    expect(violations.join('\n')).toMatch(/client→server \{"event":"send".*clientMsgId/s);
    expect(violations.join('\n')).toMatch(/event "shout" is not a server→client message/);
  });

  it("catches frames both ways on Node's global WebSocket (the one a browser-like SDK uses)", async () => {
    const violations = await exchange(() => {
      const ws = new WebSocket(url);
      return {
        send: (t) => ws.send(t),
        close: () => ws.close(),
        onReply: (cb) => ws.addEventListener('message', cb),
        onOpen: (cb) => ws.addEventListener('open', cb),
      };
    });
    expect(violations.join('\n')).toMatch(/server→client \{"event":"welcome"/);
    expect(violations.join('\n')).toMatch(/client→server \{"event":"send"/);
    expect(violations.join('\n')).toMatch(/event "shout" is not a server→client message/);
  });

  it('lets an exempt socket send anything, but still checks what it receives', async () => {
    const violations = await exchange(() => {
      const ws = sendsMalformedFrames(new WsWebSocket(url));
      return { send: (t) => ws.send(t), close: () => ws.close(), onReply: (cb) => ws.on('message', cb), onOpen: (cb) => ws.once('open', cb) };
    });
    expect(violations.some((v) => v.startsWith('client→server'))).toBe(false);
    expect(violations.filter((v) => v.startsWith('server→client'))).toHaveLength(2);
  });
});
