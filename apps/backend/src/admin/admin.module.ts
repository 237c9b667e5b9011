import { Module } from '@nestjs/common';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { AdminController } from './admin.controller';
import { AdminRoleGuard } from './admin-role.guard';

@Module({ imports: [SchedulerModule], controllers: [AdminController], providers: [AdminRoleGuard] })
export class AdminModule {}
