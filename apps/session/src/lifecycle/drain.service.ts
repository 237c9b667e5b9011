import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { HeartbeatService } from '../heartbeat/heartbeat.service';
import { RoomsService } from '../rooms/rooms.service';
import { ROOM_STORE, type RoomStore } from '../store/room-store.port';
import { CLOCK, type Clock } from '../time/clock';
import { ServerState } from './server-state';

/** How long closing sockets get to finish the close handshake before Nest terminates them. */
const CLOSE_HANDSHAKE_GRACE_MS = 2000;

/**
 * Graceful stop (SIGTERM, SIGINT, app.close()): stop taking rooms and tell the backend (heartbeat
 * with `draining: true`), which places this server's rooms elsewhere first and answers with them;
 * each room stores every accepted message so its ack goes out, then sends `moved` and closes its
 * sockets with 1012 so clients ask the backend for the new server at once; report no rooms, close
 * the store.
 * Runs before Nest closes the HTTP and ws servers (which would cut sockets without a close code).
 */
@Injectable()
export class DrainService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly log = new Logger(DrainService.name);
  private stopping = false;

  constructor(
    private readonly state: ServerState,
    private readonly rooms: RoomsService,
    private readonly heartbeat: HeartbeatService,
    @Inject(ROOM_STORE) private readonly store: RoomStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    // Already draining on an operator's order still stops here: the rooms left go, the sockets close.
    if (this.stopping) return;
    this.stopping = true;
    this.state.startDraining(this.clock.now());
    this.log.warn(`draining${signal ? ` on ${signal}` : ''}: ${this.rooms.roomCount} room(s), ${this.rooms.connectionCount} connection(s)`);
    await this.heartbeat.stop();
    await this.heartbeat.beat();
    await this.rooms.drain();
    await this.socketsClosed(CLOSE_HANDSHAKE_GRACE_MS);
    await this.heartbeat.beat();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }

  private socketsClosed(graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      const deadline = Date.now() + graceMs;
      const poll = () => {
        if (this.rooms.connectionCount === 0 || Date.now() >= deadline) return resolve();
        setTimeout(poll, 10);
      };
      poll();
    });
  }
}
