import { ClusterView, HeartbeatReply, SessionHeartbeat } from '@app/shared';
import { sessionKeyMac } from '@app/shared/internal/session-key-mac';
import { Inject, Injectable, Logger, OnApplicationShutdown, ServiceUnavailableException } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Gauge, Histogram } from 'prom-client';
import { SessionTokenSigner } from '../auth/session-token.signer';
import { Metric } from '../metrics/backend-metrics';
import { CLOCK, type Clock } from '../clock/clock';
import { BackendConfig } from '../config/backend.config';
import {
  isAlive,
  type OpenedRoom,
  type Placement,
  type RoomRecord,
  SESSION_DIRECTORY,
  type ServerRecord,
  type SessionDirectory,
} from './directory/session-directory.port';
import { PROVISIONER, type Provisioner } from './provisioner/provisioner.port';

/**
 * Places rooms on session servers: the directory decides where, the provisioner adds capacity when
 * every live server is full.
 */
@Injectable()
export class SchedulerService implements OnApplicationShutdown {
  private readonly log = new Logger(SchedulerService.name);
  private sweepTimer?: NodeJS.Timeout;
  /** Vouches for the session token key in every heartbeat reply (the key does not change in a run). */
  private keyMac?: string;

  constructor(
    @Inject(SESSION_DIRECTORY) private readonly directory: SessionDirectory,
    @Inject(PROVISIONER) private readonly provisioner: Provisioner,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly signer: SessionTokenSigner,
    private readonly config: BackendConfig,
    @InjectMetric(Metric.Placements) private readonly placements: Counter<'outcome'>,
    @InjectMetric(Metric.PlacementSeconds) private readonly placementSeconds: Histogram,
    @InjectMetric(Metric.Heartbeats) private readonly heartbeats: Counter,
    @InjectMetric(Metric.LiveServers) private readonly liveGauge: Gauge,
    @InjectMetric(Metric.PlacedRooms) private readonly placedGauge: Gauge,
  ) {}

  /** Starts the provisioner's servers (they register at `backendUrl`) and the periodic sweep. */
  async start(backendUrl: string): Promise<void> {
    this.sweepTimer = setInterval(() => void this.sweep(), Math.max(250, this.config.HEARTBEAT_TTL_MS / 2));
    this.sweepTimer.unref();
    await this.provisioner.start(backendUrl);
  }

  async heartbeat(hb: SessionHeartbeat): Promise<HeartbeatReply> {
    this.heartbeats.inc();
    const now = this.clock.now();
    // A server draining on its own (SIGTERM) has its rooms placed elsewhere first: this reply tells it
    // which ones to move. (After the first such beat there is nothing left placed on it.)
    if (hb.draining) await this.directory.drain(hb.serverId, now);
    const { revoked, moved, drain } = await this.directory.heartbeat(hb, now);
    if (hb.rooms.length)
      await this.directory.touchRooms(
        hb.rooms.map((r) => r.roomId),
        now,
      );
    const sessionTokenPublicKey = this.signer.publicKeyPem;
    this.keyMac ??= sessionKeyMac(this.config.INTERNAL_SECRET, sessionTokenPublicKey);
    return { ttlMs: this.config.HEARTBEAT_TTL_MS, revoked, moved, drain, sessionTokenPublicKey, sessionTokenPublicKeyMac: this.keyMac };
  }

  /** An operator's drain: the server's rooms are placed elsewhere now; null for an unknown server. */
  async drainServer(serverId: string): Promise<string[] | null> {
    const moved = await this.directory.drain(serverId, this.clock.now());
    if (moved) this.log.warn(`server ${serverId} drained by an operator: ${moved.length} room(s) moved`);
    return moved;
  }

  /** An operator's move of a room (to `to`, or the least loaded other server); null when nothing can take it. */
  async moveRoom(roomId: string, to?: string): Promise<Placement | null> {
    const placement = await this.directory.move(roomId, this.clock.now(), to);
    if (placement?.placedNow) this.log.warn(`room ${roomId} moved by an operator to ${placement.server.id} (epoch ${placement.epoch})`);
    return placement;
  }

  /** The room's server, placing the room (and starting a server) when needed. */
  async place(roomId: string): Promise<Placement> {
    return this.timed(async () => this.settle(roomId, await this.directory.place(roomId, this.clock.now())));
  }

  /**
   * Get-or-start of an existing room: null when there is no such room (unknown or expired), else
   * its server as `place` gives it, the room marked active, in one directory call: the directory's
   * `openRoom`, or `open` when the caller does more in that same call (RoomOpener: the user's quota
   * and room list too).
   */
  async openRoom(
    roomId: string,
    open: (now: number) => Promise<OpenedRoom | null> = (now) => this.directory.openRoom(roomId, now),
  ): Promise<{ room: RoomRecord; placement: Placement; fullWith?: string[] } | null> {
    return this.timed(async () => {
      const opened = await open(this.clock.now());
      return opened && { room: opened.room, placement: await this.settle(roomId, opened.placement), fullWith: opened.fullWith };
    });
  }

  private async timed<T>(operation: () => Promise<T>): Promise<T> {
    const stopTimer = this.placementSeconds.startTimer();
    try {
      return await operation();
    } finally {
      stopTimer();
    }
  }

  /** A placement the directory gave, or capacity added and a second try; counted, and prewarmed for. */
  private async settle(roomId: string, placement: Placement | null): Promise<Placement> {
    if (!placement && (await this.provisioner.addCapacity())) {
      placement = await this.directory.place(roomId, this.clock.now());
    }
    if (!placement) {
      const store = await this.directory.roomStore(roomId);
      if (store !== null && !(await this.liveServers()).some((s) => s.store === undefined || s.store === store)) {
        // Served by a server with another store, the room would start empty and give its seqs again.
        this.placements.inc({ outcome: 'store_unavailable' });
        throw new ServiceUnavailableException(
          `room ${roomId} keeps its history in room store ${store}, and no live session server uses that store now; ` +
            'it is served again once one does (see docs/operations.md, "Room stores")',
        );
      }
      this.placements.inc({ outcome: 'no_capacity' });
      throw new ServiceUnavailableException('no session server has a free room slot; try again shortly');
    }
    this.placements.inc({ outcome: placement.placedNow ? 'placed' : 'existing' });
    if (placement.placedNow) void this.prewarmIfBusy();
    return placement;
  }

  async liveServers(): Promise<ServerRecord[]> {
    const now = this.clock.now();
    return (await this.directory.servers(now)).filter((s) => isAlive(s, now, this.config.HEARTBEAT_TTL_MS));
  }

  /** Every server and every room: an admin's view (ClusterService narrows it for anyone else). */
  async cluster(): Promise<ClusterView> {
    const now = this.clock.now();
    const [servers, placements] = await Promise.all([this.directory.servers(now), this.directory.placements()]);
    return {
      at: now,
      scope: 'all',
      servers: servers
        .map((s) => ({
          id: s.id,
          url: s.url,
          capacity: s.capacity,
          roomCount: placements.get(s.id)?.length ?? 0,
          rooms: (placements.get(s.id) ?? []).sort(),
          connections: s.connections,
          draining: s.draining,
          alive: isAlive(s, now, this.config.HEARTBEAT_TTL_MS),
          lastHeartbeat: s.lastHeartbeat,
        }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.provisioner.stop();
    await this.directory.close();
  }

  /** Starts a server ahead of need, so the request that would find every server full does not wait. */
  private async prewarmIfBusy(): Promise<void> {
    const live = (await this.liveServers()).filter((s) => !s.draining);
    const free = live.reduce((n, s) => n + Math.max(0, s.capacity - s.placedRooms), 0);
    const total = live.reduce((n, s) => n + s.capacity, 0);
    if (total === 0 || 1 - free / total >= this.config.SESSION_SCALE_UP_AT) this.provisioner.prewarm();
  }

  private async sweep(): Promise<void> {
    try {
      const now = this.clock.now();
      const servers = await this.directory.servers(now);
      const live = servers.filter((s) => isAlive(s, now, this.config.HEARTBEAT_TTL_MS));
      this.liveGauge.set(live.length);
      this.placedGauge.set(live.reduce((n, s) => n + s.placedRooms, 0));
      // Forget servers silent for long; until then the cluster view shows them dead.
      for (const s of servers) {
        if (now - s.lastHeartbeat > 10 * this.config.HEARTBEAT_TTL_MS) await this.directory.removeServer(s.id);
      }
      await this.provisioner.reconcile(servers, now);
    } catch (err) {
      this.log.warn(`sweep failed: ${(err as Error).message}`);
    }
  }
}
