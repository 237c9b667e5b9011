import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { QuotasModule } from '../quotas/quotas.module';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { UserRoomsModule } from '../user-rooms/user-rooms.module';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';

@Module({
  imports: [AuthModule, SchedulerModule, QuotasModule, UserRoomsModule],
  controllers: [RoomsController],
  providers: [RoomsService],
})
export class RoomsModule {}
