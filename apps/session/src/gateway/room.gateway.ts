import { Inject } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayDisconnect, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import {
  checkMessageText,
  ClientEvent,
  clientMsgIdProblem,
  ClientEventV2,
  ClientEventV3,
  CloseCode,
  DEFAULT_LIMITS,
  emojiProblem,
  FrameErrorCode,
  TOO_MANY_SOCKETS_REASON,
} from '@app/shared';
import { SessionConfig } from '../config/session.config';
import type { FrameRejectionMeter } from '../metrics/session-metrics';
import { SessionMetrics } from '../metrics/session-metrics';
import { errorFrame, TEXT_FRAME } from '../protocol/server-frame';
import { RoomsService } from '../rooms/rooms.service';
import { ConnectionAdmission } from './connection-admission';
import type { TokenBucket } from './frame-rate-limiter';
import { UserRoomQuotas } from './user-room-quotas';

/**
 * The session protocol's edge: takes admitted sockets to their room and turns client frames into
 * calls on RoomsService. Frames reach these methods already rate-limited and with a well-formed
 * envelope (RoomWsAdapter); here only the payload of each event is checked.
 *
 * Payloads are checked with the pure functions of libs/shared text-rules rather than DTO classes
 * and ValidationPipe: the web client runs the very same functions for early feedback, so browser and
 * server can never disagree on what a valid message is (code points, control characters,
 * whitespace-only), and the hot path stays free of class instantiation and decorator reflection.
 */
@WebSocketGateway({ path: '/' })
export class RoomGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket> {
  private readonly maxMessageLength: number;

  constructor(
    private readonly rooms: RoomsService,
    private readonly admission: ConnectionAdmission,
    config: SessionConfig,
    @Inject(SessionMetrics) private readonly meter: FrameRejectionMeter,
    private readonly quotas: UserRoomQuotas,
  ) {
    this.maxMessageLength = config.MAX_MESSAGE_LENGTH;
  }

  /**
   * Takes an admitted socket to its room, unless its user already has MAX_SOCKETS_PER_USER sockets
   * open in that room (closed with 4429). Returns the frame budget the user shares in the room.
   */
  handleConnection(socket: WebSocket, req: IncomingMessage): TokenBucket | null {
    const admission = this.admission.take(req);
    // Cannot happen through RoomWsAdapter (verifyClient admits first); kept as a guard.
    if (!admission) {
      socket.close(CloseCode.Unauthorized, 'unauthorized');
      return null;
    }
    const budget = this.quotas.admit(socket, admission.roomId, admission.user.id);
    if (!budget) {
      socket.close(CloseCode.RateLimited, TOO_MANY_SOCKETS_REASON);
      return null;
    }
    this.rooms.connect(socket, admission, req.socket);
    return budget;
  }

  handleDisconnect(socket: WebSocket): void {
    this.quotas.release(socket);
    this.rooms.disconnect(socket);
  }

  @SubscribeMessage(ClientEvent.Send)
  onSend(socket: WebSocket, data: Record<string, unknown>): void {
    const text = checkMessageText(data.text, this.maxMessageLength);
    if (!text.ok) return this.reject(socket, text.tooLong ? FrameErrorCode.TooLong : FrameErrorCode.Invalid, text.reason);
    const idProblem = clientMsgIdProblem(data.clientMsgId);
    if (idProblem) return this.reject(socket, FrameErrorCode.Invalid, idProblem);
    this.rooms.send(socket, data.text as string, data.clientMsgId as string);
  }

  @SubscribeMessage(ClientEvent.Typing)
  onTyping(socket: WebSocket, data: Record<string, unknown>): void {
    if (Object.keys(data).length > 0) return this.reject(socket, FrameErrorCode.Invalid, 'typing takes no data: send {}');
    this.rooms.typing(socket);
  }

  @SubscribeMessage(ClientEvent.History)
  onHistory(socket: WebSocket, data: Record<string, unknown>): void {
    const { before, limit = DEFAULT_LIMITS.historyPageDefault } = data;
    if (!Number.isSafeInteger(before) || (before as number) < 1) {
      return this.reject(socket, FrameErrorCode.Invalid, 'before must be an integer >= 1');
    }
    if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > DEFAULT_LIMITS.historyPageMax) {
      return this.reject(socket, FrameErrorCode.Invalid, `limit must be an integer from 1 to ${DEFAULT_LIMITS.historyPageMax}`);
    }
    this.rooms.history(socket, before as number, limit as number);
  }

  @SubscribeMessage(ClientEventV2.Edit)
  onEdit(socket: WebSocket, data: Record<string, unknown>): void {
    if (!isSeq(data.seq, 1)) return this.reject(socket, FrameErrorCode.Invalid, 'seq must be an integer >= 1');
    const text = checkMessageText(data.text, this.maxMessageLength);
    if (!text.ok) return this.reject(socket, text.tooLong ? FrameErrorCode.TooLong : FrameErrorCode.Invalid, text.reason);
    this.rooms.edit(socket, data.seq as number, data.text as string);
  }

  @SubscribeMessage(ClientEventV2.Delete)
  onDelete(socket: WebSocket, data: Record<string, unknown>): void {
    if (!isSeq(data.seq, 1)) return this.reject(socket, FrameErrorCode.Invalid, 'seq must be an integer >= 1');
    this.rooms.delete(socket, data.seq as number);
  }

  @SubscribeMessage(ClientEventV2.React)
  onReact(socket: WebSocket, data: Record<string, unknown>): void {
    if (!isSeq(data.seq, 1)) return this.reject(socket, FrameErrorCode.Invalid, 'seq must be an integer >= 1');
    const problem = emojiProblem(data.emoji);
    if (problem) return this.reject(socket, FrameErrorCode.Invalid, problem);
    if (typeof data.on !== 'boolean') return this.reject(socket, FrameErrorCode.Invalid, 'on must be true or false');
    this.rooms.react(socket, data.seq as number, data.emoji as string, data.on);
  }

  @SubscribeMessage(ClientEventV2.Read)
  onRead(socket: WebSocket, data: Record<string, unknown>): void {
    if (!isSeq(data.seq, 0)) return this.reject(socket, FrameErrorCode.Invalid, 'seq must be an integer >= 0');
    this.rooms.read(socket, data.seq as number);
  }

  /** A board's update: base64 (standard alphabet, padded) of at most maxFrameBytes; whether it is a Yjs update the board decides. */
  @SubscribeMessage(ClientEventV3.Update)
  onUpdate(socket: WebSocket, data: Record<string, unknown>): void {
    const { update } = data;
    if (typeof update !== 'string' || update.length === 0 || update.length % 4 !== 0 || !BASE64.test(update)) {
      return this.reject(socket, FrameErrorCode.Invalid, 'update must be a non-empty base64 string (a Yjs update)');
    }
    const idProblem = clientMsgIdProblem(data.clientMsgId);
    if (idProblem) return this.reject(socket, FrameErrorCode.Invalid, idProblem);
    this.rooms.update(socket, update, data.clientMsgId as string);
  }

  @SubscribeMessage(ClientEventV3.Cursor)
  onCursor(socket: WebSocket, data: Record<string, unknown>): void {
    const { x, y } = data;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return this.reject(socket, FrameErrorCode.Invalid, 'x and y must be finite numbers');
    this.rooms.cursor(socket, x as number, y as number);
  }

  private reject(socket: WebSocket, code: FrameErrorCode, message: string): void {
    this.meter.frameRejected(code);
    if (socket.readyState === socket.OPEN) socket.send(errorFrame(code, message), TEXT_FRAME);
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isSeq(value: unknown, min: number): boolean {
  return Number.isSafeInteger(value) && (value as number) >= min;
}
