/**
 * What a UI shows about a room connection. `reconnecting` carries the attempt number and when the
 * next attempt starts; the terminal states (`not_found`, `full`, `closed`) never change again.
 */
export type ConnectionState =
  /** Created, `connect()` not called yet. */
  | { status: 'idle' }
  /** The first connection is being made. */
  | { status: 'connecting' }
  /** Welcomed by the room's session server; messages flow. */
  | { status: 'live'; serverId: string }
  /** The room is moving to another server (`moved`, 1012, 4404): re-routing at once, no back-off. */
  | { status: 'moved' }
  /** Lost; waiting `delayMs` (until `nextRetryAt`, epoch ms) before attempt `attempt` (1-based). */
  | { status: 'reconnecting'; attempt: number; delayMs: number; nextRetryAt: number; reason: string }
  /** The backend does not know the room (404, or an id of the wrong shape). Terminal. */
  | { status: 'not_found' }
  /** The room has its maximum of members (4413, or 409 from a version-2 backend). Terminal. */
  | { status: 'full' }
  /** Closed for good: by `close()`, or because the access token is refused (`reason: 'unauthorized'`). Terminal. */
  | { status: 'closed'; reason: string };

export type ConnectionStatus = ConnectionState['status'];

export const TERMINAL_STATUSES: ReadonlySet<ConnectionStatus> = new Set(['not_found', 'full', 'closed']);

/** Why a `send`, `history` or `connect` promise was rejected. */
export class RoomClientError extends Error {
  constructor(
    /** `invalid` / `too_long` (refused, locally or by the server), `not_live`, `connection_lost`, or the terminal status that ended the room. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RoomClientError';
  }
}
