import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { userRoomsProvider } from './user-rooms.factory';
import { USER_ROOMS, type UserRooms } from './user-rooms.port';

@Module({ providers: [userRoomsProvider], exports: [userRoomsProvider] })
export class UserRoomsModule implements OnApplicationShutdown {
  constructor(@Inject(USER_ROOMS) private readonly rooms: UserRooms) {}

  async onApplicationShutdown(): Promise<void> {
    await this.rooms.close();
  }
}
