import type { ClusterView } from '@app/shared';
import { Inject, Injectable } from '@nestjs/common';
import { isAdmin } from '../auth/admin.guard';
import type { AuthUser } from '../auth/auth-user';
import { CLOCK, type Clock } from '../clock/clock';
import { SchedulerService } from '../scheduler/scheduler.service';
import { USER_ROOMS, type UserRooms } from '../user-rooms/user-rooms.port';

/**
 * The cluster view for one caller. An admin sees everything; anyone else sees the servers, their load
 * and counts, but only the ids of rooms they opened a session for, and no server address: a room id
 * is the only key to a room, so the view must never hand out other people's.
 */
@Injectable()
export class ClusterService {
  constructor(
    private readonly scheduler: SchedulerService,
    @Inject(USER_ROOMS) private readonly userRooms: UserRooms,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async view(user: AuthUser): Promise<ClusterView> {
    if (isAdmin(user)) return this.scheduler.cluster();
    const [full, own] = await Promise.all([this.scheduler.cluster(), this.userRooms.roomsOf(user.id, this.clock.now())]);
    return {
      ...full,
      scope: 'own',
      servers: full.servers.map(({ url: _url, rooms, ...server }) => ({ ...server, rooms: rooms.filter((id) => own.has(id)) })),
    };
  }
}
