import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { roomNameProblem, type RoomSummary } from '@app/shared';
import { ApiClient } from '../core/api-client.service';
import { ApiError } from '../core/api-error';
import { AuthSession } from '../core/auth-session';
import { CLOCK } from '../core/clock';
import { RecentRoomsStore } from '../core/recent-rooms.store';
import { fullDate, relativeTime } from './relative-time';
import { parseRoomRef } from './room-ref';

/** How often the lobby asks for its rooms' summaries while it is open. */
export const SUMMARY_REFRESH_MS = 3000;

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

  /** The recent rooms' summaries by id (`GET /api/rooms?ids=`), refreshed while the lobby is open. */
  protected readonly summaries = signal<ReadonlyMap<string, RoomSummary>>(new Map());
  /** Unread messages per recent room: the room's lastSeq beyond this user's read marker. */
  protected readonly unread = computed(() => {
    const out = new Map<string, number>();
    for (const room of this.recent.rooms()) {
      const summary = this.summaries().get(room.roomId);
      if (summary) out.set(room.roomId, Math.max(0, summary.lastSeq - (room.readSeq ?? 0)));
    }
    return out;
  });
  protected readonly totalUnread = computed(() => [...this.unread().values()].reduce((a, b) => a + b, 0));

  constructor() {
    const title = inject(Title);
    let timer: ReturnType<typeof this.clock.setTimeout> | null = null;
    let stopped = false;
    const refresh = async () => {
      timer = null;
      const ids = this.recent.rooms().map((r) => r.roomId);
      if (ids.length) {
        try {
          const { rooms } = await this.api.roomSummaries(ids);
          this.summaries.set(new Map(rooms.map((r) => [r.roomId, r])));
          const names = new Map<string, string>();
          for (const r of rooms) if (r.name) names.set(r.roomId, r.name);
          this.recent.rename(names);
        } catch {
          // Counts stay as they were; the next round tries again.
        }
      }
      if (stopped) return;
      title.setTitle(this.totalUnread() ? `(${this.totalUnread()}) Rooms` : 'Rooms');
      timer = this.clock.setTimeout(() => void refresh(), SUMMARY_REFRESH_MS);
    };
    void refresh();
    inject(DestroyRef).onDestroy(() => {
      stopped = true;
      if (timer !== null) this.clock.clearTimeout(timer);
    });
  }

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

  protected online(roomId: string): number {
    return this.summaries().get(roomId)?.online ?? 0;
  }

  /** Relative to now ("just now"); the page re-renders with every summary refresh. */
  protected lastActivity(roomId: string, visitedAt: number): string {
    return relativeTime(this.summaries().get(roomId)?.lastActivityAt ?? visitedAt, this.clock.now());
  }

  protected lastActivityDate(roomId: string, visitedAt: number): string {
    return `Last activity ${fullDate(this.summaries().get(roomId)?.lastActivityAt ?? visitedAt)}`;
  }
}
