import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { roomNameProblem } from '@app/shared';
import { ApiClient } from '../core/api-client.service';
import { ApiError } from '../core/api-error';
import { AuthSession } from '../core/auth-session';
import { CLOCK } from '../core/clock';
import { RecentRoomsStore } from '../core/recent-rooms.store';
import { parseRoomRef } from './room-ref';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Create a room, join one by id or share link, or go back to a recent one. */
@Component({
  selector: 'app-lobby',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, RouterLink],
  templateUrl: './lobby.component.html',
  styleUrl: './lobby.component.css',
})
export class LobbyComponent {
  private readonly api = inject(ApiClient);
  private readonly router = inject(Router);
  private readonly clock = inject(CLOCK);
  protected readonly session = inject(AuthSession);
  protected readonly recent = inject(RecentRoomsStore);

  protected readonly roomName = signal('');
  protected readonly roomNameError = computed(() => roomNameProblem(this.roomName()));
  protected readonly creating = signal(false);
  protected readonly createError = signal<string | null>(null);

  protected readonly joinRef = signal('');
  protected readonly joinError = signal<string | null>(null);

  protected async create(): Promise<void> {
    if (this.roomNameError() || this.creating()) return;
    this.creating.set(true);
    this.createError.set(null);
    const name = this.roomName().trim() || undefined;
    try {
      const { roomId } = await this.api.createRoom(name);
      this.recent.remember(roomId, this.clock.now(), name);
      await this.router.navigate(['/rooms', roomId]);
    } catch (error) {
      const problem = ApiError.from(error);
      this.createError.set(problem.status === 503 ? 'No capacity to start a room right now: try again in a moment.' : problem.message);
    } finally {
      this.creating.set(false);
    }
  }

  protected join(): void {
    const roomId = parseRoomRef(this.joinRef());
    if (!roomId) {
      this.joinError.set('Paste a room id or a share link like https://…/rooms/<id>.');
      return;
    }
    this.joinError.set(null);
    void this.router.navigate(['/rooms', roomId]);
  }

  protected visited(at: number): string {
    return dateFormat.format(at);
  }
}
