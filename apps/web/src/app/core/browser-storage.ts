/**
 * Storage that never throws: private modes and disabled storage make the Web Storage API throw,
 * and losing a remembered token or a recent-rooms list must not break the app.
 */
export class SafeStorage {
  constructor(private readonly pick: () => Storage | undefined) {}

  get(key: string): string | null {
    try {
      return this.pick()?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  set(key: string, value: string): void {
    try {
      this.pick()?.setItem(key, value);
    } catch {
      // Full or disabled storage: the value only lives for this page.
    }
  }

  remove(key: string): void {
    try {
      this.pick()?.removeItem(key);
    } catch {
      // Nothing to clean up when storage is unavailable.
    }
  }
}

export const tabStorage = new SafeStorage(() => globalThis.sessionStorage);
export const deviceStorage = new SafeStorage(() => globalThis.localStorage);
