import type { ClientEnvironment } from './environment';
import type { BackoffPolicy } from './backoff';
import { RoomConnection, type RoomConnectionOptions } from './room-connection';
import { RoomsApi, type RoomsApiOptions } from './rooms-api';

export interface RoomsClientOptions extends Omit<RoomsApiOptions, 'env'> {
  env?: ClientEnvironment;
  backoff?: BackoffPolicy;
}

/**
 * The SDK's front door: the backend's HTTP API (login, create, summaries, get-or-start) plus
 * `room(id)`, a connection to one room that stays connected through crashes and moves.
 */
export class RoomsClient extends RoomsApi {
  private readonly env: ClientEnvironment | undefined;
  private readonly backoffPolicy: BackoffPolicy | undefined;

  constructor(options: RoomsClientOptions) {
    super(options);
    this.env = options.env;
    this.backoffPolicy = options.backoff;
  }

  /** A connection to `roomId` (not started: call `connect()` after adding listeners). */
  room(roomId: string, options: Omit<RoomConnectionOptions, 'roomId' | 'sessions'> = {}): RoomConnection {
    return new RoomConnection({ env: this.env, backoff: this.backoffPolicy, ...options, roomId, sessions: this });
  }
}
