import { Injectable } from '@nestjs/common';

/** Whether this server still takes rooms and connections: false from SIGTERM on. */
@Injectable()
export class ServerState {
  private drainingSince: number | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  startDraining(now: number): boolean {
    if (this.drainingSince !== null) return false;
    this.drainingSince = now;
    return true;
  }
}
