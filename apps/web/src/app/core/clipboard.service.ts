import { DOCUMENT } from '@angular/common';
import { Injectable, inject } from '@angular/core';

/** Copies text: the async Clipboard API where allowed, else the old hidden-textarea trick. */
@Injectable({ providedIn: 'root' })
export class ClipboardService {
  private readonly document = inject(DOCUMENT);

  async copy(text: string): Promise<boolean> {
    try {
      const clipboard = this.document.defaultView?.navigator.clipboard;
      if (clipboard?.writeText) {
        await clipboard.writeText(text);
        return true;
      }
    } catch {
      // Denied or not a secure context: fall through to the fallback.
    }
    return this.copyWithSelection(text);
  }

  private copyWithSelection(text: string): boolean {
    const area = this.document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    this.document.body.appendChild(area);
    const previous = this.document.activeElement as HTMLElement | null;
    area.select();
    let ok: boolean;
    try {
      ok = this.document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    previous?.focus();
    return ok;
  }
}
