import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import type { Message, UserRef } from '@app/shared';
import { linkify, type TextPart } from './linkify';
import { userLabels } from './user-labels';
import { groupMessages, toTimeline, type TimelineEntry } from './message-grouping';
import type { PendingMessage } from './room-connection.service';
import { INITIAL_FOLLOW, followOnAppend, followOnScroll, type FollowState } from './scroll-follow';

/** The reactions offered on every message. */
export const REACTION_PALETTE = ['👍', '❤️', '😂', '🎉', '😮', '🙏'] as const;

/** Start loading older history when the reader is this close to the top. */
const LOAD_OLDER_PX = 120;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

@Component({
  selector: 'app-message-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './message-list.component.html',
  styleUrl: './message-list.component.css',
})
export class MessageListComponent {
  readonly messages = input.required<readonly Message[]>();
  readonly pending = input<readonly PendingMessage[]>([]);
  readonly me = input<UserRef | null>(null);
  readonly hasMore = input(false);
  readonly loadingHistory = input(false);
  readonly loadOlder = output<void>();
  /** A "new messages" divider goes before the first message after this seq (none when null or 0). */
  readonly dividerAfter = input<number | null>(null);
  /** "Seen by" under the message `seenBySeq` (my latest). */
  readonly seenBySeq = input<number | null>(null);
  readonly seenBy = input<readonly string[]>([]);
  /** Seq of the first message after the divider, if any is shown. */
  protected readonly firstNew = computed(() => {
    const after = this.dividerAfter();
    if (!after) return null;
    // What I wrote myself is not news to me.
    const me = this.me()?.id;
    return this.messages().find((m) => m.seq > after && m.userId !== me)?.seq ?? null;
  });
  /** Version 2 actions: edit and delete my messages, react to any. */
  readonly edit = output<{ seq: number; text: string }>();
  readonly remove = output<number>();
  readonly react = output<{ seq: number; emoji: string; on: boolean }>();

  protected readonly palette = REACTION_PALETTE;
  /** The message being edited inline, and the one asking for delete confirmation. */
  protected readonly editingSeq = signal<number | null>(null);
  protected readonly confirmingSeq = signal<number | null>(null);
  /** Members connected now: their names say who reacted, with the names in the messages shown. */
  readonly members = input<readonly UserRef[]>([]);
  /** Names as shown: two people of the same name told apart (me included: the other Alice is not "you"). */
  protected readonly names = computed(() => {
    const me = this.me();
    return userLabels([...this.messages().map((m) => ({ id: m.userId, name: m.name })), ...this.members(), ...(me ? [me] : [])]);
  });

  private readonly injector = inject(Injector);
  private readonly viewport = viewChild.required<ElementRef<HTMLElement>>('viewport');

  protected readonly entries = computed(() => toTimeline(this.messages(), this.pending(), this.me()));
  protected readonly groups = computed(() => groupMessages(this.entries(), this.me()?.id ?? null));
  protected readonly follow = signal<FollowState>(INITIAL_FOLLOW);
  protected readonly unseen = computed(() => this.follow().unseen);

  private knownKeys: Set<string> | null = null;
  private oldestSeq: number | null = null;
  // Layout as of the last render or scroll, to keep the reader's place when history is prepended.
  private lastScrollTop = 0;
  private lastScrollHeight = 0;

  constructor() {
    effect(() => {
      const entries = this.entries();
      untracked(() => this.onEntries(entries));
    });
  }

  protected reactionList(entry: TimelineEntry): Array<{ emoji: string; count: number; mine: boolean; who: string }> {
    const me = this.me()?.id;
    return Object.entries(entry.reactions ?? {}).map(([emoji, users]) => ({
      emoji,
      count: users.length,
      mine: me !== undefined && users.includes(me),
      who: users.map((id) => (id === me ? 'you' : (this.names().get(id) ?? id))).join(', '),
    }));
  }

  protected toggle(entry: TimelineEntry, emoji: string): void {
    if (entry.seq === null) return;
    const mine = (entry.reactions?.[emoji] ?? []).includes(this.me()?.id ?? '');
    this.react.emit({ seq: entry.seq, emoji, on: !mine });
  }

  protected startEdit(entry: TimelineEntry): void {
    this.editingSeq.set(entry.seq);
    this.focusAfterRender(entry, '[data-testid="edit-box"]');
  }

  protected saveEdit(entry: TimelineEntry, text: string): void {
    if (entry.seq !== null && text.trim() && text !== entry.text) this.edit.emit({ seq: entry.seq, text });
    this.editingSeq.set(null);
  }

  protected cancelEdit(entry: TimelineEntry): void {
    this.editingSeq.set(null);
    this.focusAfterRender(entry, '[data-testid="edit"]');
  }

  /** The question takes the focus (on its safe answer), so a keyboard user is where the choice is. */
  protected askDelete(entry: TimelineEntry): void {
    this.confirmingSeq.set(entry.seq);
    this.focusAfterRender(entry, '[data-testid="keep"]');
  }

  protected keep(entry: TimelineEntry): void {
    if (this.confirmingSeq() !== entry.seq) return;
    this.confirmingSeq.set(null);
    this.focusAfterRender(entry, '[data-testid="delete"]');
  }

  /** The buttons are replaced as the state changes: the focus would otherwise fall back to the page. */
  private focusAfterRender(entry: TimelineEntry, selector: string): void {
    afterNextRender(
      { write: () => this.viewport().nativeElement.querySelector<HTMLElement>(`.message[data-seq="${entry.seq}"] ${selector}`)?.focus() },
      { injector: this.injector },
    );
  }

  protected editKey(event: KeyboardEvent, entry: TimelineEntry): void {
    const area = event.target as HTMLTextAreaElement;
    if (event.key === 'Escape') {
      event.preventDefault();
      this.cancelEdit(entry);
    } else if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      this.saveEdit(entry, area.value);
    }
  }

  protected confirmDelete(entry: TimelineEntry): void {
    if (entry.seq !== null) this.remove.emit(entry.seq);
    this.confirmingSeq.set(null);
  }

  protected parts(text: string): TextPart[] {
    return linkify(text);
  }

  protected time(ts: number): string {
    return timeFormat.format(ts);
  }

  protected fullTime(ts: number): string {
    return fullFormat.format(ts);
  }

  protected iso(ts: number): string {
    return new Date(ts).toISOString();
  }

  protected onScroll(): void {
    const el = this.viewport().nativeElement;
    this.lastScrollTop = el.scrollTop;
    this.lastScrollHeight = el.scrollHeight;
    this.follow.update((state) => followOnScroll(state, el));
    if (el.scrollTop <= LOAD_OLDER_PX && this.hasMore() && !this.loadingHistory()) this.loadOlder.emit();
  }

  protected jumpToLatest(): void {
    const el = this.viewport().nativeElement;
    el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
    this.follow.set(INITIAL_FOLLOW);
  }

  private onEntries(entries: readonly TimelineEntry[]): void {
    const firstRender = this.knownKeys === null;
    const previousKeys = this.knownKeys ?? new Set<string>();
    const previousOldest = this.oldestSeq;
    const oldest = entries.find((e) => e.seq !== null)?.seq ?? null;
    const myId = this.me()?.id;

    let added = 0;
    let includesMine = false;
    for (const e of entries) {
      if (previousKeys.has(e.key)) continue;
      if (e.seq !== null && previousOldest !== null && e.seq < previousOldest) continue; // older history, not news
      added++;
      if (e.userId === myId) includesMine = true;
    }
    const prepended = previousOldest !== null && oldest !== null && oldest < previousOldest;
    this.knownKeys = new Set(entries.map((e) => e.key));
    this.oldestSeq = oldest;

    const { state, scroll } = firstRender ? { state: INITIAL_FOLLOW, scroll: true } : followOnAppend(this.follow(), added, includesMine);
    this.follow.set(state);
    const topBefore = this.lastScrollTop;
    const heightBefore = this.lastScrollHeight;

    afterNextRender(
      {
        write: () => {
          const el = this.viewport().nativeElement;
          if (scroll) el.scrollTop = el.scrollHeight;
          else if (prepended) el.scrollTop = topBefore + (el.scrollHeight - heightBefore);
          this.lastScrollTop = el.scrollTop;
          this.lastScrollHeight = el.scrollHeight;
        },
      },
      { injector: this.injector },
    );
  }
}
