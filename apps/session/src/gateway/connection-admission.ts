import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { DEFAULT_ROOM_KIND, type RoomKindName, type UserRef } from '@app/shared';
import { SessionTokenVerifier } from '../auth/session-token.verifier';
import { SessionConfig } from '../config/session.config';

/** What an accepted upgrade carries to the gateway: who, which room, and where to resume. */
export interface Admission {
  user: UserRef;
  roomId: string;
  /** Epoch of the room's placement the token was issued for. */
  epoch: number;
  /** Seq the client saw last (`?since=`), when it resumes. */
  since?: number;
  /** The room revision the client saw last (`?rev=`), with `since`: the welcome then carries `changed`. */
  rev?: number;
  /** The room's name from the token (null when none). */
  roomName: string | null;
  /** The room's kind from the token (chat when it names none). */
  kind: RoomKindName;
}

export type AdmissionCheck = { ok: true } | { ok: false; status: number; message: string };

const SINCE = /^\d{1,15}$/;

/**
 * Decides at the HTTP upgrade, before any room data exists for the socket: Origin (403), a key to
 * verify with (503), the session token (401), `since` and `rev` (400). An admitted request is remembered
 * until the gateway takes it on `connection`.
 */
@Injectable()
export class ConnectionAdmission {
  private readonly admitted = new WeakMap<IncomingMessage, Admission>();
  private readonly allowedOrigins: ReadonlySet<string> | null;

  constructor(
    config: SessionConfig,
    private readonly verifier: SessionTokenVerifier,
  ) {
    this.allowedOrigins = config.ALLOWED_ORIGINS?.length ? new Set(config.ALLOWED_ORIGINS) : null;
  }

  check(req: IncomingMessage): AdmissionCheck {
    if (this.allowedOrigins) {
      // Browsers always send Origin; other clients may set any, so a missing one is no evidence.
      const origin = req.headers.origin;
      if (origin !== undefined && !this.allowedOrigins.has(origin)) return { ok: false, status: 403, message: 'Forbidden' };
    }
    if (!this.verifier.ready) return { ok: false, status: 503, message: 'Service Unavailable' };
    const params = new URL(req.url ?? '/', 'ws://session.invalid').searchParams;
    const token = params.get('token');
    if (!token) return { ok: false, status: 401, message: 'Unauthorized' };
    const check = this.verifier.verify(token);
    if (!check.ok) return { ok: false, status: 401, message: 'Unauthorized' };
    // An empty `since=` counts as none (clients that build the URL from an unknown last seq).
    const sinceText = params.get('since') || null;
    if (sinceText !== null && !SINCE.test(sinceText)) return { ok: false, status: 400, message: 'Bad Request' };
    // `rev` follows the same rule as `since` (an empty `rev=` counts as none); without `since` it means nothing.
    const revText = params.get('rev') || null;
    if (revText !== null && !SINCE.test(revText)) return { ok: false, status: 400, message: 'Bad Request' };
    const { claims } = check;
    this.admitted.set(req, {
      user: { id: claims.sub, name: claims.name },
      roomId: claims.room,
      epoch: claims.epoch,
      since: sinceText === null ? undefined : Number(sinceText),
      rev: revText === null || sinceText === null ? undefined : Number(revText),
      roomName: claims.roomName ?? null,
      kind: claims.kind ?? DEFAULT_ROOM_KIND,
    });
    return { ok: true };
  }

  /** The admission of an upgraded request, once. */
  take(req: IncomingMessage): Admission | undefined {
    const admission = this.admitted.get(req);
    this.admitted.delete(req);
    return admission;
  }
}
