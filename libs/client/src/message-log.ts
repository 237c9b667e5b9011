import type { DeletedPayload, EditedPayload, MessageV2, ReactionPayload } from '@app/shared';
import { applyReaction, withOwnReactions } from './reactions';

/**
 * The room's messages this client holds, ordered by seq, each seq once. A resumed `welcome`, a
 * `history` page and live `message` events may overlap: a seq already held is neither added again
 * nor reported again, so nothing shows twice. Version-2 changes (edit, delete, reaction) replace the
 * held copy.
 */
export class MessageLog {
  private list: MessageV2[] = [];
  private readonly bySeq = new Map<number, MessageV2>();

  /** Oldest first. The array is replaced (never mutated) on every change, so UIs can compare by identity. */
  get messages(): readonly MessageV2[] {
    return this.list;
  }

  get newestSeq(): number {
    return this.list.at(-1)?.seq ?? 0;
  }

  get oldestSeq(): number | null {
    return this.list[0]?.seq ?? null;
  }

  has(seq: number): boolean {
    return this.bySeq.has(seq);
  }

  get(seq: number): MessageV2 | undefined {
    return this.bySeq.get(seq);
  }

  /** Adds the messages whose seq is new; returns those, oldest first. */
  add(incoming: readonly MessageV2[]): MessageV2[] {
    const taken = new Set<number>();
    const fresh = incoming.filter((m) => !this.bySeq.has(m.seq) && !taken.has(m.seq) && taken.add(m.seq)).map(withOwnReactions);
    if (fresh.length === 0) return [];
    for (const m of fresh) this.bySeq.set(m.seq, m);
    const newest = this.newestSeq;
    const inOrder = fresh.every((m, i) => m.seq > (i === 0 ? newest : fresh[i - 1].seq));
    this.list = inOrder ? [...this.list, ...fresh] : [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
    return [...fresh].sort((a, b) => a.seq - b.seq);
  }

  /** Puts a message's current state in place of the held one (welcome `changed`); adds it when not held. Returns the held copy. */
  replace(incoming: MessageV2): MessageV2 {
    if (!this.bySeq.has(incoming.seq)) return this.add([incoming])[0];
    const message = withOwnReactions(incoming);
    this.bySeq.set(message.seq, message);
    this.list = this.list.map((m) => (m.seq === message.seq ? message : m));
    return message;
  }

  /** Applies `edited`; returns the new state, or undefined when the message is not held. */
  applyEdit(e: EditedPayload): MessageV2 | undefined {
    return this.update(e.seq, (m) => ({ ...m, text: e.text, editedAt: e.editedAt, rev: e.rev }));
  }

  applyDelete(d: DeletedPayload): MessageV2 | undefined {
    return this.update(d.seq, (m) => {
      const { reactions: _gone, ...rest } = m;
      return { ...rest, text: '', deleted: true, rev: d.rev };
    });
  }

  applyReaction(r: ReactionPayload): MessageV2 | undefined {
    return this.update(r.seq, (m) => {
      const { reactions, ...rest } = m;
      const next = applyReaction(reactions, r);
      return next ? { ...rest, reactions: next, rev: r.rev } : { ...rest, rev: r.rev };
    });
  }

  clear(): void {
    this.list = [];
    this.bySeq.clear();
  }

  private update(seq: number, change: (m: MessageV2) => MessageV2): MessageV2 | undefined {
    const held = this.bySeq.get(seq);
    if (!held) return undefined;
    return this.replace(change(held));
  }
}
