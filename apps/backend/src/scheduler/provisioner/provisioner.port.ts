import type { ServerRecord } from '../directory/session-directory.port';

export const PROVISIONER = Symbol('PROVISIONER');

/** One session server process a provisioner runs. */
export interface ProvisionedServer {
  serverId: string;
  pid?: number;
  port?: number;
}

/** Where capacity comes from: started by us (`local`) or by someone else (`none`). */
export interface Provisioner {
  readonly kind: string;
  /** Starts the minimum number of servers, which will register at `backendUrl`. */
  start(backendUrl: string): Promise<void>;
  /**
   * Asks for one more server because every live one is full. Resolves true once a new server has
   * registered, false when none can be added (at the maximum, or not ours to start).
   */
  addCapacity(): Promise<boolean>;
  /** Starts one more server in the background when none is on its way and the maximum allows. */
  prewarm(): void;
  /** Called periodically with what the directory knows; stops extra servers that stayed idle. */
  reconcile(servers: readonly ServerRecord[], now: number): Promise<void>;
  /** Stops every server this provisioner started. */
  stop(): Promise<void>;
  running(): ProvisionedServer[];
}
