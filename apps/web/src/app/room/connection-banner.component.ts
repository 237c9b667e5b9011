import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import type { ConnectionStatus } from './room-connection.service';

/** The connection state, always on screen, announced politely to screen readers. */
@Component({
  selector: 'app-connection-banner',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="banner" [class]="'banner ' + status()" role="status" aria-live="polite" data-testid="connection-state" [attr.data-state]="status()">
      <span class="dot" aria-hidden="true"></span>
      <span class="label">{{ label() }}</span>
      @if (status() === 'reconnecting') {
        @if (notice(); as n) {
          <span class="detail">({{ n }})</span>
        }
        <button type="button" class="link-button" (click)="retry.emit()">Retry now</button>
      }
    </div>
  `,
  styleUrl: './connection-banner.component.css',
})
export class ConnectionBannerComponent {
  readonly status = input.required<ConnectionStatus>();
  readonly attempt = input(0);
  readonly notice = input<string | null>(null);
  readonly retry = output<void>();

  protected readonly label = computed(() => {
    switch (this.status()) {
      case 'idle':
      case 'connecting':
        return 'Connecting…';
      case 'live':
        return 'Live';
      case 'reconnecting':
        return `Reconnecting (attempt ${this.attempt()})…`;
      case 'not-found':
        return 'Room not found or expired';
      case 'full':
        return 'This room is full';
      case 'unauthorized':
        return 'Your session ended: please log in again';
    }
  });
}
