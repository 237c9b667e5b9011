import { Module } from '@nestjs/common';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { UserRoomsModule } from '../user-rooms/user-rooms.module';
import { ClusterController } from './cluster.controller';
import { ClusterService } from './cluster.service';

@Module({ imports: [SchedulerModule, UserRoomsModule], controllers: [ClusterController], providers: [ClusterService] })
export class ClusterModule {}
