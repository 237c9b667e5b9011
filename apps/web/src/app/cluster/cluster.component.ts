import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import type { ClusterView } from '@app/shared';
import { ApiClient } from '../core/api-client.service';
import { RecentRoomsStore } from '../core/recent-rooms.store';
import { AdminSession } from '../core/admin-session';
import { ApiError } from '../core/api-error';
import { CLOCK, type TimerHandle } from '../core/clock';
import { sortCards, toServerCard } from './server-card';

export const CLUSTER_REFRESH_MS = 2000;

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/**
 * `/cluster`: the session servers and how loaded each one is, with your rooms on them. An operator
 * who logs in with the admin secret sees every room and each server's address; other people's rooms
 * are never links (a room id is the only key to a room).
 */
@Component({
  selector: 'app-cluster',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, ReactiveFormsModule],
  templateUrl: './cluster.component.html',
  styleUrl: './cluster.component.css',
})
export class ClusterComponent {
  private readonly api = inject(ApiClient);
  private readonly clock = inject(CLOCK);
  protected readonly admin = inject(AdminSession);
  private readonly recent = inject(RecentRoomsStore);
  /** Names of the rooms this browser knows (recent rooms): shown beside their ids. */
  protected readonly roomNames = computed(
    () =>
      new Map(
        this.recent
          .rooms()
          .filter((r) => r.name)
          .map((r) => [r.roomId, r.name!]),
      ),
  );

  /** What an operator's last action did, or why it failed. */
  protected readonly actionNotice = signal<string | null>(null);

  protected readonly view = signal<ClusterView | null>(null);
  /** The admin's view: every room, no links (they are other people's). */
  protected readonly allRooms = computed(() => this.view()?.scope === 'all');
  protected readonly secret = new FormControl('', { nonNullable: true });
  protected readonly adminError = signal<string | null>(null);
  protected readonly adminBusy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly cards = computed(() => {
    const view = this.view();
    return view ? sortCards(view.servers.map((s) => toServerCard(s, view.at))) : [];
  });
  protected readonly totals = computed(() => {
    const live = this.cards().filter((c) => c.health !== 'dead');
    return {
      servers: live.length,
      rooms: live.reduce((n, c) => n + c.roomCount, 0),
      connections: live.reduce((n, c) => n + (c.connections ?? 0), 0),
      capacity: live.reduce((n, c) => n + c.capacity, 0),
    };
  });
  protected readonly updatedAt = computed(() => {
    const view = this.view();
    return view ? timeFormat.format(view.at) : null;
  });

  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor() {
    void this.refresh();
    inject(DestroyRef).onDestroy(() => {
      this.stopped = true;
      if (this.timer !== null) this.clock.clearTimeout(this.timer);
    });
  }

  async adminLogin(): Promise<void> {
    const secret = this.secret.value;
    if (!secret || this.adminBusy()) return;
    this.adminBusy.set(true);
    this.adminError.set(null);
    try {
      this.admin.signIn((await this.api.adminLogin(secret)).token);
      this.secret.reset();
      await this.load();
    } catch (error) {
      this.adminError.set(ApiError.from(error).message);
    } finally {
      this.adminBusy.set(false);
    }
  }

  async adminLogout(): Promise<void> {
    this.admin.signOut();
    await this.load();
  }

  protected async drain(serverId: string): Promise<void> {
    await this.act(() => this.api.drainServer(serverId, this.admin.token()), `Draining ${serverId}: its rooms move to other servers`);
  }

  protected async move(roomId: string): Promise<void> {
    await this.act(() => this.api.moveRoom(roomId, this.admin.token()), `Moving room ${roomId} to the least loaded other server`);
  }

  private async act(action: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await action();
      this.actionNotice.set(done);
    } catch (error) {
      this.actionNotice.set(ApiError.from(error).message);
    }
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (!this.stopped) void this.refresh();
  }

  /** One request at a time: the next one is scheduled when this one settles. */
  private async refresh(): Promise<void> {
    await this.load();
    if (!this.stopped) this.timer = this.clock.setTimeout(() => void this.refresh(), CLUSTER_REFRESH_MS);
  }

  private async load(): Promise<void> {
    try {
      this.view.set(await this.api.cluster(this.admin.token()));
      this.error.set(null);
    } catch (error) {
      const e = ApiError.from(error);
      // An admin token that expired: back to the user's own view.
      if (e.status === 401 && this.admin.isAdmin()) {
        this.admin.signOut();
        this.adminError.set('The admin session expired: log in again.');
        return this.load();
      }
      this.error.set(e.message);
    }
  }
}
