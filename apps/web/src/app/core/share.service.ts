import { DOCUMENT } from '@angular/common';
import { Injectable, inject } from '@angular/core';

/** How a share went: `unsupported` and `failed` mean the caller should fall back (copy the link). */
export type ShareOutcome = 'shared' | 'cancelled' | 'unsupported' | 'failed';

/** The Web Share API (the system's share sheet, mostly on phones), behind a service so tests pass a fake. */
@Injectable({ providedIn: 'root' })
export class ShareService {
  private readonly navigator = inject(DOCUMENT).defaultView?.navigator;

  async share(data: { title: string; text?: string; url: string }): Promise<ShareOutcome> {
    const nav = this.navigator;
    if (!nav?.share || (nav.canShare && !nav.canShare(data))) return 'unsupported';
    try {
      await nav.share(data);
      return 'shared';
    } catch (error) {
      // The person closed the share sheet: nothing to fall back to.
      return error instanceof DOMException && error.name === 'AbortError' ? 'cancelled' : 'failed';
    }
  }
}
