import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { MetadataScanner } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { GatewayMetadataExplorer } from '@nestjs/websockets/gateway-metadata-explorer';
import type { IncomingMessage } from 'node:http';
import type { Observable } from 'rxjs';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { CloseCode, FrameErrorCode, ServerEvent } from '@app/shared';
import type { FrameRejectionMeter, RejectReason } from '../metrics/session-metrics';
import { encodeFrame, errorFrame, TEXT_FRAME } from '../protocol/server-frame';
import { FrameRateLimiter, type FrameRateOptions, type TokenBucket } from './frame-rate-limiter';
import type { PingLiveness } from './ping-liveness';
import type { AdmissionCheck } from './connection-admission';

/** A gateway method bound to its instance: `(socket, data)`. */
type FrameHandler = (socket: WebSocket, data: Record<string, unknown>) => void;

/** What the adapter calls on the gateway besides its `@SubscribeMessage` methods. */
export interface RoomGatewayHooks {
  /** Takes the socket; returns the frame budget its user shares in the room (none: the socket was refused). */
  handleConnection(socket: WebSocket, req: IncomingMessage): TokenBucket | null | void;
  handleDisconnect(socket: WebSocket): void;
}

export interface RoomWsAdapterOptions {
  /** The gateway whose `@SubscribeMessage` methods handle frames, and that takes connections. */
  gateway: RoomGatewayHooks;
  /** Largest client frame; `ws` closes a socket that sends more with 1009. */
  maxFrameBytes: number;
  rate: FrameRateOptions;
  now: () => number;
  /** Decides an upgrade before it happens (status and text of the refusal otherwise). */
  admit(req: IncomingMessage): AdmissionCheck;
  /** Counts refused frames (metrics). */
  meter: FrameRejectionMeter;
  /** Pings every socket and closes those that stop answering; none in unit tests. */
  liveness?: PingLiveness;
}

const BAD_JSON = errorFrame(FrameErrorCode.BadJson, 'frame is not valid JSON');
const BAD_FRAME = errorFrame(FrameErrorCode.BadFrame, 'a frame is a JSON text object { "event": string, "data": object }');
const BINARY_FRAME = errorFrame(FrameErrorCode.BadFrame, 'frames must be text, not binary');
const RATE_LIMITED = errorFrame(FrameErrorCode.RateLimited, 'too many frames: slow down');

/**
 * Nest's WsAdapter with the session protocol's framing rules:
 * - `maxPayload` (1009 on a larger frame), no per-message deflate, and `verifyClient`, so a bad
 *   token is refused with HTTP 401 at the upgrade and no socket ever exists for it;
 * - a synchronous dispatcher instead of Nest's per-message rxjs pipeline (this is the hot path):
 *   rate limit, parse, check the envelope, call the gateway method. Unlike the stock adapter it
 *   answers bad JSON, bad envelopes and unknown events with `error` frames instead of dropping them.
 *
 * The gateway's methods are called directly (found through their `@SubscribeMessage` metadata),
 * so Nest pipes, guards, interceptors and filters do not run for frames: payloads are validated
 * in the gateway with the protocol's shared text rules, and a throwing handler is logged here.
 *
 * Connections bypass Nest's per-connection plumbing as well (`bindClientConnect`): the gateway's
 * `handleConnection` / `handleDisconnect` are called straight from the `ws` events. Nest's path
 * pushed every connection through two rxjs Subjects, bound a callback per `@SubscribeMessage`
 * method per socket (unused here) and kept the last upgrade request alive in `distinctUntilChanged`;
 * per idle connection this is garbage the bench's no-GC RSS figure counts. Socket `close` and
 * `error` listeners are shared functions (the socket is `this`), not closures per socket.
 */
export class RoomWsAdapter extends WsAdapter {
  private readonly log = new Logger('RoomWsAdapter');
  private readonly handlers: ReadonlyMap<string, FrameHandler>;
  /** `close` listener of every socket (`this` is the socket). */
  private readonly onSocketClose: (this: WebSocket) => void;
  /** `error` listener of every socket (`this` is the socket). */
  private readonly onSocketError: (this: WebSocket, err: Error & { code?: string }) => void;

  constructor(
    app: INestApplicationContext,
    private readonly options: RoomWsAdapterOptions,
  ) {
    super(app);
    const gateway = options.gateway as unknown as Record<string, unknown>;
    const handlers = new Map<string, FrameHandler>();
    for (const { message, callback } of new GatewayMetadataExplorer(new MetadataScanner()).explore(gateway)) {
      handlers.set(String(message), (callback as FrameHandler).bind(gateway));
    }
    this.handlers = handlers;
    const hooks = options.gateway;
    const liveness = options.liveness;
    this.onSocketClose = function (this: WebSocket) {
      liveness?.forget(this);
      hooks.handleDisconnect(this);
    };
    const meter = options.meter;
    const log = this.log;
    this.onSocketError = function (this: WebSocket, err: Error & { code?: string }) {
      // Socket errors are the client's (oversize frame, bad UTF-8, reset): `ws` already closed the
      // socket with the right code, so they are no server errors.
      const reason = socketErrorReason(err.code);
      if (reason) meter.frameRejected(reason);
      log.debug?.(`socket error: ${err.message}`);
    };
  }

  override create(port: number, options: Record<string, unknown> & { path?: string } = {}): WebSocketServer {
    this.options.liveness?.start();
    return super.create(port, {
      ...options,
      maxPayload: this.options.maxFrameBytes,
      perMessageDeflate: false,
      verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, status?: number, message?: string) => void) => {
        const check = this.options.admit(info.req);
        if (check.ok) done(true);
        else done(false, check.status, check.message);
      },
    }) as WebSocketServer;
  }

  /**
   * Every upgraded socket: error and close listeners, the gateway's `handleConnection`, then the
   * frame dispatcher (Nest's own connection callback is not used, see the class comment).
   */
  override bindClientConnect(server: WebSocketServer, _nestCallback: unknown): void {
    server.on('connection', (client: WebSocket, req: IncomingMessage) => {
      client.on('error', this.onSocketError);
      const budget = this.options.gateway.handleConnection(client, req);
      this.bindFrames(client, budget ?? undefined);
      this.options.liveness?.watch(client);
      client.on('close', this.onSocketClose);
    });
  }

  /**
   * Nest calls this from its own connection callback, which bindClientConnect does not use: frames
   * are bound there, once. Binding here as well would dispatch every frame twice.
   */
  override bindMessageHandlers(_client: WebSocket, _nestHandlers: MessageMappingProperties[], _transform: (data: unknown) => Observable<unknown>): void {}

  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('error', (err) => this.log.error(err));
    return server;
  }

  /** Stops the pings with the server (Nest closes it on app.close()). */
  override async close(server: WebSocketServer): Promise<void> {
    this.options.liveness?.stop();
    await super.close(server);
  }

  /** `budget`: the frame budget the socket's user shares in its room; a socket of its own without. */
  private bindFrames(client: WebSocket, budget?: TokenBucket): void {
    const limiter = new FrameRateLimiter(this.options.rate, this.options.now, budget);
    client.on('message', (raw: RawData, isBinary: boolean) => this.dispatch(client, limiter, raw, isBinary));
  }

  private dispatch(client: WebSocket, limiter: FrameRateLimiter, raw: RawData, isBinary: boolean): void {
    // Frames still arriving after this server closed the socket (4429, 1012, 1013) are dropped, not
    // answered nor counted again.
    if (client.readyState !== client.OPEN) return;
    const verdict = limiter.check();
    const meter = this.options.meter;
    if (verdict !== 'ok') {
      if (verdict === 'flood') {
        meter.frameRejected('flood_closed');
        client.close(CloseCode.RateLimited, 'too many frames');
      } else {
        meter.frameRejected(FrameErrorCode.RateLimited);
        send(client, RATE_LIMITED);
      }
      return;
    }
    if (isBinary) {
      meter.frameRejected(FrameErrorCode.BadFrame);
      return send(client, BINARY_FRAME);
    }
    let frame: unknown;
    try {
      frame = JSON.parse(textOf(raw));
    } catch {
      meter.frameRejected(FrameErrorCode.BadJson);
      return send(client, BAD_JSON);
    }
    if (!isObject(frame) || typeof frame.event !== 'string' || !isObject(frame.data)) {
      meter.frameRejected(FrameErrorCode.BadFrame);
      return send(client, BAD_FRAME);
    }
    const handler = this.handlers.get(frame.event);
    if (!handler) {
      meter.frameRejected(FrameErrorCode.UnknownEvent);
      return send(client, encodeFrame(ServerEvent.Error, { code: FrameErrorCode.UnknownEvent, message: unknownEventText(frame.event) }));
    }
    try {
      handler(client, frame.data);
    } catch (err) {
      this.log.error(`handler of "${frame.event}" failed`, (err as Error).stack);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The reject reason of a socket error `ws` raised while reading a client frame (it then closes the
 * socket itself: 1009, 1007 or 1002). Transport errors (resets) are no rejected frames.
 */
function socketErrorReason(code: string | undefined): RejectReason | null {
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'frame_too_large';
  if (code === 'WS_ERR_INVALID_UTF8') return 'invalid_utf8';
  if (code?.startsWith('WS_ERR_')) return 'protocol_error';
  return null;
}

/**
 * The refusal names the event, cut to 32 UTF-16 units and made well-formed: a lone surrogate sent
 * (or one left by the cut through a pair) is not echoed back as text a client cannot keep as is.
 */
function unknownEventText(event: string): string {
  return `unknown event "${(event.length > 32 ? `${event.slice(0, 32)}…` : event).toWellFormed()}"`;
}

function send(client: WebSocket, frame: Buffer): void {
  if (client.readyState === client.OPEN) client.send(frame, TEXT_FRAME);
}

/** A text frame's characters; ws hands one Buffer per message with its default binaryType. */
function textOf(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString();
  return Buffer.concat(Array.isArray(raw) ? raw : [Buffer.from(raw)]).toString();
}
