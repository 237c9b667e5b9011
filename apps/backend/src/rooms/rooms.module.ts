import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { QuotasModule } from '../quotas/quotas.module';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { UserRoomsModule } from '../user-rooms/user-rooms.module';
import { roomOpenerProvider } from './opener/room-opener.factory';
import { ROOM_OPENER, type RoomOpener } from './opener/room-opener.port';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';

@Module({
  imports: [AuthModule, SchedulerModule, QuotasModule, UserRoomsModule],
  controllers: [RoomsController],
  providers: [RoomsService, roomOpenerProvider],
})
export class RoomsModule implements OnApplicationShutdown {
  constructor(@Inject(ROOM_OPENER) private readonly opener: RoomOpener) {}

  async onApplicationShutdown(): Promise<void> {
    await this.opener.close();
  }
}
