import { DEFAULT_ROOM_KIND, type CreateRoomResponse, type RoomKindName, type RoomSessionResponse, type RoomSummariesResponse, type UserRef } from '@app/shared';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { Metric } from '../metrics/backend-metrics';
import { SessionTokenSigner } from '../auth/session-token.signer';
import { CLOCK, type Clock } from '../clock/clock';
import { SESSION_DIRECTORY, type SessionDirectory } from '../scheduler/directory/session-directory.port';
import { SchedulerService } from '../scheduler/scheduler.service';
import { UserQuotas } from '../quotas/user-quotas.service';
import { AddressQuotas } from '../quotas/address-quotas.service';
import { USER_ROOMS, type UserRooms } from '../user-rooms/user-rooms.port';
import { ROOM_OPENER, type RoomOpener } from './opener/room-opener.port';
import { newRoomId, ROOM_ID_PATTERN } from './room-id';

@Injectable()
export class RoomsService {
  constructor(
    @Inject(SESSION_DIRECTORY) private readonly directory: SessionDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly scheduler: SchedulerService,
    private readonly signer: SessionTokenSigner,
    private readonly quotas: UserQuotas,
    private readonly addressQuotas: AddressQuotas,
    @Inject(USER_ROOMS) private readonly userRooms: UserRooms,
    @Inject(ROOM_OPENER) private readonly opener: RoomOpener,
    @InjectMetric(Metric.RoomsCreated) private readonly created: Counter,
  ) {}

  /**
   * Creates a room and places it at once, so a room that exists always has somewhere to live. Counts
   * against the user's hourly quota first, then the client address's (429 beyond either: new logins
   * from one address do not buy more rooms); the creator's room list gets it. The user's first, so a
   * user at their own quota who keeps trying does not use up what others behind the address share.
   */
  async create(user: UserRef, name: string | undefined, address: string, kind: RoomKindName = DEFAULT_ROOM_KIND): Promise<CreateRoomResponse> {
    await this.quotas.roomCreated(user.id);
    await this.addressQuotas.roomCreated(address);
    const roomId = newRoomId();
    await this.scheduler.place(roomId);
    await this.directory.createRoom({ roomId, name: name || undefined, kind, createdAt: this.clock.now(), createdBy: user.id }, this.clock.now());
    await this.userRooms.remember(user.id, roomId, this.clock.now());
    this.created.inc();
    return { roomId, name: name || null, kind };
  }

  /**
   * What the lobby shows of the rooms asked for: the live ones, in the order asked (an id asked twice
   * once), from the directory alone. Ids of a shape this backend never issues are unknown rooms.
   */
  async summaries(roomIds: string[]): Promise<RoomSummariesResponse> {
    const ids = [...new Set(roomIds)].filter((id) => ROOM_ID_PATTERN.test(id));
    return { rooms: ids.length ? await this.directory.roomSummaries(ids, this.clock.now()) : [] };
  }

  /**
   * The name a shared link's preview shows (no login: the id is the key to the room). Read from the
   * summaries, which mark no room active, so a chat app unfurling the link does not keep it alive.
   */
  async previewName(roomId: string): Promise<string | null> {
    if (!ROOM_ID_PATTERN.test(roomId)) return null;
    const [room] = await this.directory.roomSummaries([roomId], this.clock.now());
    return room?.name ?? null;
  }

  /**
   * Get or start the room's session: where it lives now, and a token for that server. Counts against
   * the user's per-minute quota first (429 beyond it, and then nothing else happens); the room joins
   * the user's room list. All three in one RoomOpener call: one round trip with Redis. A room its
   * server last reported full is refused (409) to anyone not connected to it, before a socket opens;
   * the server still closes with 4413 a socket that finds it full (two callers racing for the last place).
   */
  async session(user: UserRef, roomId: string): Promise<RoomSessionResponse> {
    if (!ROOM_ID_PATTERN.test(roomId)) {
      // Counted all the same: guessing ids is not free.
      await this.quotas.sessionOpened(user.id);
      throw new NotFoundException(`room ${roomId} does not exist or has expired`);
    }
    const quota = this.quotas.sessionQuota(user.id);
    const opened = await this.scheduler.openRoom(roomId, async (now) => {
      const outcome = await this.opener.open({ userId: user.id, roomId, now, quota });
      if (outcome.refused) throw this.quotas.sessionRefused(outcome.retryAfterMs);
      return outcome.opened;
    });
    if (!opened) throw new NotFoundException(`room ${roomId} does not exist or has expired`);
    if (opened.fullWith && !opened.fullWith.includes(user.id)) throw new ConflictException('room is full');
    const { server, epoch } = opened.placement;
    const name = opened.room.name ?? null;
    const kind = opened.room.kind ?? DEFAULT_ROOM_KIND;
    return {
      roomId,
      name,
      kind,
      url: server.url,
      token: this.signer.sign(user, roomId, server.id, epoch, name, kind),
      serverId: server.id,
      epoch,
    };
  }
}
