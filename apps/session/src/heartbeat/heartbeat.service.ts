import { Inject, Injectable, Logger } from '@nestjs/common';
import { FULL_MEMBER_LISTS_EVERY, HEARTBEAT_PATH, INTERNAL_SECRET_HEADER, type HeartbeatReply, type SessionHeartbeat } from '@app/shared';
import { isVouchedKey } from '@app/shared/internal/session-key-mac';
import { SessionTokenVerifier } from '../auth/session-token.verifier';
import { SessionConfig } from '../config/session.config';
import { Lease } from '../lease/lease';
import { ServerState } from '../lifecycle/server-state';
import { SessionMetrics } from '../metrics/session-metrics';
import { RoomsService } from '../rooms/rooms.service';
import { CLOCK, type Clock, type TimerHandle } from '../time/clock';

/** The backend's heartbeat TTL when a reply does not say it (HEARTBEAT_TTL_MS's default). */
const DEFAULT_BACKEND_TTL_MS = 5000;

/** While heartbeats keep failing, a reminder is logged at most this often. */
const FAILURE_LOG_INTERVAL_MS = 30_000;

/**
 * Registers this server with the backend and keeps it alive there: a heartbeat right at start and
 * then every HEARTBEAT_INTERVAL_MS (never two at once). The reply brings the key that verifies
 * session tokens and the rooms the directory placed elsewhere. Failures are logged (rate-limited)
 * and retried on the next beat; they never stop the server.
 *
 * BACKEND_URL may list several backends (replicas sharing one directory): a beat goes to the one
 * that answered last and, when it fails (refused, timed out, not 2xx), to the next ones in the same
 * beat, so losing one replica does not make this server look dead to the others.
 */
@Injectable()
export class HeartbeatService {
  private readonly log = new Logger(HeartbeatService.name);
  private timer: TimerHandle | null = null;
  private running = false;
  private inFlight: Promise<void> | null = null;
  private failingSince: number | null = null;
  private failures = 0;
  private lastFailureLog = 0;
  private beats = 0;
  /** Index in BACKEND_URL of the backend that answered last: beats go there first. */
  private current = 0;
  /**
   * Member-set version of each full room whose ids the backend has from the last beat it answered:
   * those rooms say `membersUnchanged` instead of listing 100s of ids every second (1,000 full
   * rooms of 100 made each beat ~250 KB, parsed and written by the backend every interval).
   * Emptied after a failed beat and every FULL_MEMBER_LISTS_EVERY beats.
   */
  private listed = new Map<string, number>();
  private beatsSinceFullLists = 0;
  /** The room store's identity, read once (a store that cannot say it yet fails the beat, retried). */
  private store: string | null = null;
  /** A key without a valid MAC was refused and said so; said again only after a vouched key came. */
  private refusedKeyLogged = false;

  constructor(
    private readonly config: SessionConfig,
    private readonly rooms: RoomsService,
    private readonly verifier: SessionTokenVerifier,
    private readonly state: ServerState,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: SessionMetrics,
    private readonly lease: Lease,
  ) {}

  /** Number of successful heartbeats so far. */
  get successfulBeats(): number {
    return this.beats;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  /** Stops the schedule; a heartbeat in flight finishes. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** Sends one heartbeat now (after the one in flight, if any). */
  async beat(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    this.inFlight = this.send().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async tick(): Promise<void> {
    await this.beat();
    if (this.running) this.timer = this.clock.setTimeout(() => void this.tick(), this.config.HEARTBEAT_INTERVAL_MS);
  }

  private async send(): Promise<void> {
    if (++this.beatsSinceFullLists >= FULL_MEMBER_LISTS_EVERY) {
      this.beatsSinceFullLists = 0;
      this.listed.clear();
    }
    const versions = new Map<string, number>();
    let store: string;
    try {
      store = this.store ??= await this.rooms.storeIdentity();
    } catch (err) {
      this.failed(new Error(`the room store cannot say who it is: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    const body: SessionHeartbeat = {
      serverId: this.config.serverId,
      url: this.config.publicUrl,
      capacity: this.config.MAX_ROOMS,
      // While draining, rooms are reported until they closed, so none is placed elsewhere before its last write.
      rooms: this.rooms.heldRooms(this.listed, versions),
      connections: this.rooms.connectionCount,
      draining: this.state.draining,
      store,
    };
    const backends = this.config.BACKEND_URL;
    const json = JSON.stringify(body);
    const errors: string[] = [];
    for (let attempt = 0; attempt < backends.length; attempt++) {
      const index = (this.current + attempt) % backends.length;
      // The backend counts this server live from when it receives the beat, so no earlier than now.
      const sentAt = this.clock.now();
      try {
        const reply = await this.post(backends[index], json);
        // Another backend may not share the last one's lists (each keeps its own without Redis).
        this.listed = attempt === 0 ? versions : new Map<string, number>();
        if (index !== this.current && backends.length > 1) this.log.warn(`heartbeats now go to ${backends[index]}`);
        this.current = index;
        this.apply(reply, body);
        // After the reply's revocations: every room still held here is confirmed as this server's.
        this.lease.renew(sentAt, typeof reply.ttlMs === 'number' && reply.ttlMs > 0 ? reply.ttlMs : DEFAULT_BACKEND_TTL_MS);
        this.succeeded();
        return;
      } catch (err) {
        errors.push(`${backends[index]}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    // The backend may or may not have taken the lists: send them again.
    this.listed = new Map<string, number>();
    this.failed(new Error(errors.join('; ')));
  }

  private async post(backend: string, json: string): Promise<Partial<HeartbeatReply>> {
    const res = await fetch(new URL(HEARTBEAT_PATH, backend), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_SECRET_HEADER]: this.config.INTERNAL_SECRET },
      body: json,
      signal: AbortSignal.timeout(Math.min(5000, Math.max(1000, this.config.HEARTBEAT_INTERVAL_MS))),
    });
    if (!res.ok) {
      const hint = res.status === 401 || res.status === 403 ? ' (INTERNAL_SECRET differs from the backend’s?)' : '';
      throw new Error(`backend answered ${res.status}${hint}`);
    }
    return (await res.json()) as Partial<HeartbeatReply>;
  }

  private apply(reply: Partial<HeartbeatReply>, sent: SessionHeartbeat): void {
    if (typeof reply.sessionTokenPublicKey === 'string' && reply.sessionTokenPublicKey) {
      this.takeKey(reply.sessionTokenPublicKey, reply.sessionTokenPublicKeyMac);
    }
    const reported = new Map(sent.rooms.map((room) => [room.roomId, room.epoch]));
    if (Array.isArray(reply.revoked) && reply.revoked.length) {
      this.rooms.revoke(
        reply.revoked.filter((id): id is string => typeof id === 'string'),
        reported,
      );
    }
    if (reply.drain === true && this.state.startDraining(this.clock.now())) {
      this.log.warn('drained by an operator: taking no more rooms');
    }
    if (Array.isArray(reply.moved) && reply.moved.length) {
      void this.rooms.moveOut(
        reply.moved.filter((id): id is string => typeof id === 'string'),
        reported,
      );
    }
  }

  /**
   * A key from a reply is taken only when the internal secret vouches for it: whoever answers a
   * heartbeat (a spoofed address, a backend of another deployment) could otherwise make this server
   * accept session tokens it signed itself. A key from the environment is never replaced.
   */
  private takeKey(pem: string, mac: unknown): void {
    if (this.config.SESSION_TOKEN_PUBLIC_KEY) return;
    if (!isVouchedKey(this.config.INTERNAL_SECRET, pem, mac)) {
      if (!this.refusedKeyLogged) {
        this.refusedKeyLogged = true;
        this.log.warn(
          `the heartbeat reply of ${this.config.BACKEND_URL[this.current]} offers a session token key without a valid MAC: not taken ` +
            '(the backend is older than this server or does not share INTERNAL_SECRET; or set SESSION_TOKEN_PUBLIC_KEY)',
        );
      }
      return;
    }
    this.refusedKeyLogged = false;
    if (this.verifier.offerKey(pem)) this.log.log('session token key received from the backend');
  }

  private succeeded(): void {
    this.beats++;
    this.metrics.heartbeatSent();
    if (this.failingSince !== null) {
      this.log.warn(`heartbeat to ${this.config.BACKEND_URL[this.current]} works again after ${this.failures} failure(s)`);
    }
    this.failingSince = null;
    this.failures = 0;
  }

  private failed(err: unknown): void {
    const now = this.clock.now();
    this.failures++;
    this.metrics.heartbeatFailed();
    const reason = err instanceof Error ? err.message : String(err);
    if (this.failingSince === null) {
      this.failingSince = now;
      this.lastFailureLog = now;
      this.log.warn(`heartbeat failed on every backend: ${reason}; retrying every ${this.config.HEARTBEAT_INTERVAL_MS} ms`);
    } else if (now - this.lastFailureLog >= FAILURE_LOG_INTERVAL_MS) {
      this.lastFailureLog = now;
      this.log.warn(`heartbeat still failing (${this.failures} attempts since ${new Date(this.failingSince).toISOString()}): ${reason}`);
    }
  }
}
