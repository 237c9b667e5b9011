import { JwtService } from '@nestjs/jwt';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { DEFAULT_ROOM_KIND, isRoomKindName, SESSION_TOKEN_ALGORITHM, TokenType, type SessionTokenClaims } from '@app/shared';

export type TokenCheck = { ok: true; claims: SessionTokenClaims } | { ok: false; reason: string };

/**
 * Verifies session tokens: ES256 with the backend's public key, `typ` session (an access token is
 * refused), `aud` this server, a room, not expired. Expiry is checked here, when a socket opens, only.
 * The key comes from the environment or, when unset there, from the backend's heartbeat reply.
 */
export class SessionTokenVerifier {
  private readonly jwt = new JwtService();
  private publicKey: string | null = null;
  /** Parsed once per key: parsing a PEM costs more than verifying a signature. */
  private keyObject: KeyObject | null = null;
  private readonly pinned: boolean;

  constructor(
    private readonly serverId: string,
    /** A key from the environment wins over keys from heartbeats. */
    configuredKey?: string,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.pinned = Boolean(configuredKey);
    if (configuredKey) this.useKey(configuredKey);
  }

  /** True once there is a key to verify with. */
  get ready(): boolean {
    return this.publicKey !== null;
  }

  /** Takes a key from a heartbeat reply; returns true when it changed the key in use. */
  offerKey(pem: string): boolean {
    if (this.pinned || pem === this.publicKey) return false;
    this.useKey(pem);
    return true;
  }

  private useKey(pem: string): void {
    this.keyObject = parseKey(pem);
    this.publicKey = pem;
  }

  verify(token: string): TokenCheck {
    if (!this.keyObject) return { ok: false, reason: 'no verification key yet' };
    let payload: Record<string, unknown>;
    try {
      payload = this.jwt.verify<Record<string, unknown>>(token, {
        // jsonwebtoken 9 takes a KeyObject; @nestjs/jwt's type only names string | Buffer.
        publicKey: this.keyObject as unknown as string,
        algorithms: [SESSION_TOKEN_ALGORITHM],
        audience: this.serverId,
        clockTimestamp: this.nowSeconds(),
      });
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    if (payload.typ !== TokenType.Session) return { ok: false, reason: 'not a session token' };
    if (typeof payload.exp !== 'number') return { ok: false, reason: 'token without expiry' };
    for (const claim of ['sub', 'name', 'room'] as const) {
      const value = payload[claim];
      if (typeof value !== 'string' || value.length === 0) return { ok: false, reason: `claim ${claim} missing` };
    }
    const epoch = payload.epoch;
    if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 1) return { ok: false, reason: 'claim epoch missing' };
    // Optional (tokens of a backend before version 2 have none): the room's name for `welcome`.
    const roomName = typeof payload.roomName === 'string' ? payload.roomName : null;
    // Optional too (tokens of a backend before version 3 have none: chat); a kind this server does not know is refused.
    const claimedKind: unknown = payload.kind;
    if (claimedKind !== undefined && !isRoomKindName(claimedKind)) return { ok: false, reason: 'claim kind unknown' };
    const kind = claimedKind ?? DEFAULT_ROOM_KIND;
    return {
      ok: true,
      claims: {
        typ: TokenType.Session,
        sub: payload.sub as string,
        name: payload.name as string,
        room: payload.room as string,
        aud: this.serverId,
        epoch,
        roomName,
        kind,
      },
    };
  }
}

/** Fails early and clearly on a key that is not a PEM EC public key. */
function parseKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ec') throw new Error('session token key must be an EC (P-256) public key');
  return key;
}
