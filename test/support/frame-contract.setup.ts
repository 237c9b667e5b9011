import WebSocket from 'ws';
import { FrameContract, type Direction } from './frame-contract';
import { frameExemptions } from './frame-exemptions';

/**
 * Every JSON text frame the tests' WebSocket clients send or receive must be one that
 * docs/asyncapi.yaml describes: the `ws` package's client sockets and Node's global WebSocket (the
 * one a browser-like SDK uses) are wrapped, each frame is checked against the document's schema of
 * its event, and a test during which one did not match fails in afterEach, naming the frame.
 * Server-side sockets of in-process session servers are left alone: what they send is what the
 * clients receive. Tests that send malformed frames on purpose opt out for their own frames with
 * frame-exemptions.ts.
 */

const contract = new FrameContract();
const violations = frameExemptions().violations;
const MAX_SHOWN = 300;

function check(direction: Direction, text: string): void {
  const problem = contract.problem(direction, text);
  if (problem !== null) violations.push(`${direction} ${text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text}\n    ${problem}`);
}

function asText(data: unknown): string | null {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString('utf8');
  return null;
}

function clientFramesExempt(socket: object): boolean {
  const exemptions = frameExemptions();
  return exemptions.wholeFile || exemptions.sockets.has(socket);
}

// ---- the `ws` package: only client sockets (`_isServer` false) ----
type WsInternals = WebSocket & { _isServer: boolean };
const wsProto = WebSocket.prototype as any;
const wsSend = wsProto.send as (...args: unknown[]) => void;
wsProto.send = function (this: WsInternals, data: unknown, options?: unknown, cb?: unknown): void {
  if (!this._isServer && !clientFramesExempt(this)) {
    const binary =
      typeof options === 'object' && options !== null && 'binary' in options ? Boolean((options as { binary?: boolean }).binary) : typeof data !== 'string';
    const text = asText(data);
    if (binary || text === null) violations.push('client→server binary frame: the protocol has only JSON text frames');
    else check('client→server', text);
  }
  return wsSend.call(this, data, options, cb);
};
const wsEmit = wsProto.emit as (...args: unknown[]) => boolean;
wsProto.emit = function (this: WsInternals, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'message' && !this._isServer) {
    const [data, isBinary] = args;
    const text = asText(data);
    if (isBinary || text === null) violations.push('server→client binary frame: the protocol has only JSON text frames');
    else check('server→client', text);
  }
  return wsEmit.call(this, event, ...args);
};

// ---- Node's global WebSocket (undici), when the environment has it ----
const GlobalWebSocket = (globalThis as { WebSocket?: typeof globalThis.WebSocket }).WebSocket;
if (typeof GlobalWebSocket === 'function') {
  const proto = GlobalWebSocket.prototype as any;
  const send = proto.send as (data: unknown) => void;
  proto.send = function (this: object, data: unknown): void {
    if (!clientFramesExempt(this)) {
      if (typeof data === 'string') check('client→server', data);
      else violations.push('client→server binary frame: the protocol has only JSON text frames');
    }
    return send.call(this, data);
  };
  const dispatch = proto.dispatchEvent as (event: Event) => boolean;
  proto.dispatchEvent = function (this: object, event: Event): boolean {
    if (event.type === 'message') {
      const data = (event as MessageEvent).data;
      if (typeof data === 'string') check('server→client', data);
      else violations.push('server→client binary frame: the protocol has only JSON text frames');
    }
    return dispatch.call(this, event);
  };
}

function failOnViolations(): void {
  if (violations.length === 0) return;
  const found = violations.splice(0);
  throw new Error(`${found.length} WebSocket frame(s) not described by docs/asyncapi.yaml:\n  ${found.slice(0, 20).join('\n  ')}`);
}

afterEach(failOnViolations);
afterAll(failOnViolations);
