import { Module } from '@nestjs/common';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { ClusterController } from './cluster.controller';

@Module({ imports: [SchedulerModule], controllers: [ClusterController] })
export class ClusterModule {}
