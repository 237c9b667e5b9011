import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { RouterLink } from '@angular/router';
import { ClipboardService } from '../core/clipboard.service';
import { CLOCK } from '../core/clock';
import { RecentRoomsStore } from '../core/recent-rooms.store';
import { ShareService } from '../core/share.service';
import { ComposerComponent } from './composer.component';
import { ConnectionBannerComponent } from './connection-banner.component';
import { MessageListComponent } from './message-list.component';
import { RoomConnection } from './room-connection.service';
import { typingLabel } from './typing-label';
import { userLabels } from './user-labels';

/** Least time between two `read` frames (the contract's at most once a second). */
const READ_EVERY_MS = 1000;

/** `/rooms/:roomId`: the conversation. This page's URL is the share link. */
@Component({
  selector: 'app-room-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, MessageListComponent, ComposerComponent, ConnectionBannerComponent],
  templateUrl: './room-page.component.html',
  styleUrl: './room-page.component.css',
})
export class RoomPageComponent {
  /** From the route (component input binding). */
  readonly roomId = input.required<string>();

  protected readonly connection = inject(RoomConnection);
  private readonly recent = inject(RecentRoomsStore);
  private readonly clipboard = inject(ClipboardService);
  private readonly sharing = inject(ShareService);
  private readonly clock = inject(CLOCK);
  private readonly document = inject(DOCUMENT);

  protected readonly shareUrl = computed(() => new URL(`/rooms/${encodeURIComponent(this.roomId())}`, this.document.baseURI).toString());
  protected readonly copyState = signal<'idle' | 'shared' | 'copied' | 'failed'>('idle');
  protected readonly typingText = computed(() => typingLabel(this.connection.typingUsers()));
  /** The name the room's server gave in `welcome` (everyone who joins by link learns it), else the one remembered. */
  protected readonly roomName = computed(() => this.connection.roomName() ?? this.recent.rooms().find((r) => r.roomId === this.roomId())?.name);
  protected readonly canWrite = computed(() => !this.connection.isClosedForGood());
  /** Where "new messages" starts: my read marker as it was when the room opened (it stays put while I read). */
  protected readonly dividerAfter = signal<number | null>(null);
  /** Who else has read up to my latest message. */
  protected readonly seenBy = computed(() => {
    const me = this.connection.me()?.id;
    const mine = [...this.connection.messages()].reverse().find((m) => m.userId === me);
    if (!me || !mine) return { seq: null, names: [] as string[] };
    const names = this.names();
    const who: string[] = [];
    for (const [userId, seq] of this.connection.reads()) if (userId !== me && seq >= mine.seq) who.push(names.get(userId) ?? userId);
    return { seq: mine.seq, names: who };
  });
  protected readonly showMembers = signal(false);
  /** Names as shown: two people of the same name (me included) told apart by a piece of their ids. */
  protected readonly names = computed(() => {
    const me = this.connection.me();
    return userLabels([...this.connection.messages().map((m) => ({ id: m.userId, name: m.name })), ...this.connection.members(), ...(me ? [me] : [])]);
  });

  constructor() {
    effect(() => {
      const roomId = this.roomId();
      untracked(() => this.connection.connect(roomId));
    });
    effect(() => {
      if (this.connection.status() === 'live' && this.dividerAfter() === null) {
        const marker = this.connection.readSeq();
        untracked(() => this.dividerAfter.set(marker));
      }
    });
    // Remember the room (and its name) once it proved to exist.
    effect(() => {
      if (this.connection.status() === 'live') {
        const roomId = this.roomId();
        const name = this.connection.roomName() ?? undefined;
        untracked(() => this.recent.remember(roomId, this.clock.now(), name));
      }
    });
    // The newest message shown counts as read while the page is visible; `read` goes at most once a second.
    let readTimer: ReturnType<typeof this.clock.setTimeout> | null = null;
    let lastReadAt = -Infinity;
    const sendRead = () => {
      readTimer = null;
      const seq = this.connection.messages().at(-1)?.seq ?? 0;
      if (this.document.visibilityState === 'hidden' || seq <= this.connection.readSeq()) return;
      lastReadAt = this.clock.now();
      this.connection.markRead(seq);
      this.recent.markRead(this.roomId(), seq);
    };
    effect(() => {
      const newest = this.connection.messages().at(-1)?.seq ?? 0;
      if (this.connection.status() !== 'live' || newest <= this.connection.readSeq() || readTimer !== null) return;
      untracked(() => {
        readTimer = this.clock.setTimeout(sendRead, Math.max(0, lastReadAt + READ_EVERY_MS - this.clock.now()));
      });
    });
    // Another device may have read further: the marker from welcome counts here too.
    effect(() => {
      const seq = this.connection.readSeq();
      if (seq > 0) untracked(() => this.recent.markRead(this.roomId(), seq));
    });
    const title = inject(Title);
    const previousTitle = title.getTitle();
    effect(() => title.setTitle(`${this.roomName() || 'Room'} · Rooms`));
    inject(DestroyRef).onDestroy(() => {
      // A read still waiting for its second goes now: leaving for the lobby must not leave the last
      // messages counted as unread there.
      if (readTimer !== null) {
        this.clock.clearTimeout(readTimer);
        sendRead();
      }
      this.connection.leave();
      title.setTitle(previousTitle);
    });
  }

  /** The system's share sheet where there is one (its preview titled with the room's name), else the clipboard. */
  protected async shareLink(): Promise<void> {
    const name = this.roomName();
    const url = this.shareUrl();
    const outcome = await this.sharing.share(name ? { title: name, text: `Join “${name}”`, url } : { title: 'Room', url });
    if (outcome === 'cancelled') return;
    const state = outcome === 'shared' ? 'shared' : (await this.clipboard.copy(url)) ? 'copied' : 'failed';
    this.copyState.set(state);
    this.clock.setTimeout(() => this.copyState.set('idle'), 2500);
  }

  protected send(text: string): void {
    this.connection.send(text);
  }
}
