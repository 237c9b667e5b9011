import { TestBed, type ComponentFixture } from '@angular/core/testing';
import type { Message } from '@app/shared';
import { MessageListComponent } from './message-list.component';

const ME = { id: 'me', name: 'Me' };
const m = (seq: number, userId = 'bob'): Message => ({
  seq,
  id: `c${seq}`,
  userId,
  name: userId === 'me' ? 'Me' : 'Bob',
  text: `line ${seq}`,
  ts: 1_700_000_000_000 + seq,
});

const start = [m(1), m(2), m(3, 'me')];

describe('MessageListComponent', () => {
  let fixture: ComponentFixture<MessageListComponent>;
  let el: HTMLElement;
  let viewport: HTMLElement;
  const layout = { scrollHeight: 2000, clientHeight: 400 };

  beforeEach(async () => {
    layout.scrollHeight = 2000;
    TestBed.configureTestingModule({ imports: [MessageListComponent] });
    fixture = TestBed.createComponent(MessageListComponent);
    fixture.componentRef.setInput('messages', start);
    fixture.componentRef.setInput('me', ME);
    await fixture.whenStable();
    el = fixture.nativeElement as HTMLElement;
    viewport = el.querySelector('.viewport')!;
    // jsdom has no layout: give the viewport a fixed content height.
    Object.defineProperty(viewport, 'scrollHeight', { get: () => layout.scrollHeight, configurable: true });
    Object.defineProperty(viewport, 'clientHeight', { get: () => layout.clientHeight, configurable: true });
  });

  async function scrollTo(top: number): Promise<void> {
    viewport.scrollTop = top;
    viewport.dispatchEvent(new Event('scroll'));
    await fixture.whenStable();
  }

  it('renders groups with author, time and my own messages marked', () => {
    const groups = el.querySelectorAll('.group');
    expect(groups).toHaveLength(2);
    expect(groups[0].querySelector('.author')?.textContent).toContain('Bob');
    expect(groups[0].querySelectorAll('.message')).toHaveLength(2);
    expect(groups[1].classList).toContain('mine');
    expect(groups[1].querySelector('.author')?.textContent).toContain('(you)');
    expect(groups[0].querySelector('time')?.getAttribute('datetime')).toBe(new Date(1_700_000_000_001).toISOString());
    expect(el.querySelector('[role="log"]')?.getAttribute('aria-live')).toBe('polite');
  });

  it('shows pending messages as sending', async () => {
    fixture.componentRef.setInput('pending', [{ clientMsgId: 'p', text: 'on its way', createdAt: 1 }]);
    await fixture.whenStable();
    const pending = el.querySelector('.message.pending');
    expect(pending?.textContent).toContain('on its way');
    expect(pending?.textContent).toContain('sending…');
  });

  it('shows "n new messages" instead of scrolling when the reader scrolled up', async () => {
    await scrollTo(200);
    fixture.componentRef.setInput('messages', [...start, m(4), m(5)]);
    await fixture.whenStable();
    expect(viewport.scrollTop).toBe(200);
    expect(el.querySelector('.chip')?.textContent).toContain('2 new messages');

    await scrollTo(layout.scrollHeight - layout.clientHeight);
    expect(el.querySelector('.chip')).toBeNull();
  });

  it('follows new messages when at the bottom', async () => {
    await scrollTo(layout.scrollHeight - layout.clientHeight);
    layout.scrollHeight = 2100;
    fixture.componentRef.setInput('messages', [...start, m(4)]);
    await fixture.whenStable();
    expect(viewport.scrollTop).toBe(2100);
    expect(el.querySelector('.chip')).toBeNull();
  });

  it('asks for older history near the top and keeps the reader in place when it arrives', async () => {
    const loadOlder = jest.fn();
    fixture.componentInstance.loadOlder.subscribe(loadOlder);
    fixture.componentRef.setInput('hasMore', true);
    await fixture.whenStable();
    await scrollTo(50);
    expect(loadOlder).toHaveBeenCalledTimes(1);

    layout.scrollHeight = 2600;
    fixture.componentRef.setInput('messages', [m(-1), m(0), ...start]);
    await fixture.whenStable();
    expect(viewport.scrollTop).toBe(50 + 600);
    expect(el.querySelector('.chip')).toBeNull();
  });

  describe('edits, deletions and reactions (version 2)', () => {
    const at = (seq: number) => el.querySelector(`.message[data-seq="${seq}"]`) as HTMLElement;
    const click = async (node: Element | null) => {
      (node as HTMLButtonElement).click();
      await fixture.whenStable();
    };

    it('shows the edited mark, the deleted placeholder and reaction counts with who reacted', async () => {
      fixture.componentRef.setInput('messages', [
        { ...m(1), text: 'fixed', editedAt: 1_700_000_000_100 },
        { ...m(2), text: '', deleted: true },
        { ...m(3, 'me'), reactions: { '👍': ['bob', 'me'] } },
      ]);
      await fixture.whenStable();
      expect(at(1).querySelector('[data-testid="edited"]')?.textContent).toContain('edited');
      expect(at(2).querySelector('[data-testid="deleted"]')?.textContent).toBe('message deleted');
      expect(at(2).querySelector('.actions')).toBeNull();
      const chip = at(3).querySelector('.reaction')!;
      expect(chip.textContent).toContain('👍 2');
      expect(chip.getAttribute('title')).toBe('Bob, you');
      expect(chip.getAttribute('aria-pressed')).toBe('true');
    });

    it('toggles reactions from the palette and the chips', async () => {
      const reacted: unknown[] = [];
      fixture.componentInstance.react.subscribe((r) => reacted.push(r));
      fixture.componentRef.setInput('messages', [{ ...m(1), reactions: { '🎉': ['me'] } }]);
      await fixture.whenStable();
      await click(at(1).querySelector('[aria-label="React 👍"]'));
      await click(at(1).querySelector('.reaction'));
      expect(reacted).toEqual([
        { seq: 1, emoji: '👍', on: true },
        { seq: 1, emoji: '🎉', on: false },
      ]);
    });

    it('edits my own message inline (Enter saves, Escape cancels) and deletes it after confirmation', async () => {
      const edits: unknown[] = [];
      const removed: number[] = [];
      fixture.componentInstance.edit.subscribe((e) => edits.push(e));
      fixture.componentInstance.remove.subscribe((seq) => removed.push(seq));
      expect(at(1).querySelector('[data-testid="edit"]')).toBeNull(); // not mine
      await click(at(3).querySelector('[data-testid="edit"]'));
      let box = at(3).querySelector('textarea')!;
      box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
      await fixture.whenStable();
      expect(at(3).querySelector('textarea')).toBeNull();
      await click(at(3).querySelector('[data-testid="edit"]'));
      box = at(3).querySelector('textarea')!;
      box.value = 'line 3, fixed';
      box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
      await fixture.whenStable();
      expect(edits).toEqual([{ seq: 3, text: 'line 3, fixed' }]);

      await click(at(3).querySelector('[data-testid="delete"]'));
      expect(removed).toEqual([]);
      await click(at(3).querySelector('[data-testid="confirm-delete"]'));
      expect(removed).toEqual([3]);
    });
  });

  it('puts the "new messages" divider after the read marker, and "seen by" under my latest message', async () => {
    fixture.componentRef.setInput('dividerAfter', 1);
    fixture.componentRef.setInput('seenBySeq', 3);
    fixture.componentRef.setInput('seenBy', ['Bob']);
    await fixture.whenStable();
    const divider = el.querySelector('[data-testid="new-divider"]');
    expect(divider?.nextElementSibling?.getAttribute('data-seq')).toBe('2');
    expect(el.querySelector('.message[data-seq="3"] [data-testid="seen-by"]')?.textContent).toContain('Seen by Bob');
    fixture.componentRef.setInput('dividerAfter', 3);
    await fixture.whenStable();
    expect(el.querySelector('[data-testid="new-divider"]')).toBeNull();
  });

  it('puts no "new messages" divider above what I wrote myself in a room I had read', async () => {
    fixture.componentRef.setInput('dividerAfter', 3);
    fixture.componentRef.setInput('messages', [...start, m(4, 'me')]);
    await fixture.whenStable();
    expect(el.querySelector('[data-testid="new-divider"]')).toBeNull();
    // Bob answers: the divider goes above his reply, not mine.
    fixture.componentRef.setInput('messages', [...start, m(4, 'me'), m(5)]);
    await fixture.whenStable();
    expect(el.querySelector('[data-testid="new-divider"]')?.nextElementSibling?.getAttribute('data-seq')).toBe('5');
  });

  it('tells two people of the same name apart, me included', async () => {
    const alice = (seq: number, userId: string): Message => ({ ...m(seq, userId), name: 'Alice' });
    fixture.componentRef.setInput('me', { id: 'me-aaaa', name: 'Alice' });
    fixture.componentRef.setInput('messages', [alice(1, 'other-zz9Q'), alice(2, 'me-aaaa')]);
    await fixture.whenStable();
    const authors = [...el.querySelectorAll('[data-testid="author"]')].map((a) => a.textContent?.trim());
    expect(authors).toEqual(['Alice ·zz9Q', 'Alice ·aaaa (you)']);
  });

  it('makes web addresses in a message clickable, opening in a new tab', async () => {
    fixture.componentRef.setInput('messages', [{ ...m(1), text: 'agenda: https://example.org/agenda.' }]);
    await fixture.whenStable();
    const link = el.querySelector<HTMLAnchorElement>('.message[data-seq="1"] .text a');
    expect(link?.getAttribute('href')).toBe('https://example.org/agenda');
    expect(link?.rel).toContain('noopener');
    expect(el.querySelector('.message[data-seq="1"] .text')?.textContent).toBe('agenda: https://example.org/agenda.');
  });
});
