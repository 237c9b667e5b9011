import type { MessageV2 } from '@app/shared';

/** A message as the SQL stores (SQLite, PostgreSQL) keep it, one row per seq. */
export interface MessageRow {
  seq: number;
  id: string;
  user_id: string;
  name: string;
  text: string;
  ts: number;
  rev: number | null;
  edited_at: number | null;
  /** SQLite keeps 1, PostgreSQL true; null when not deleted. */
  deleted: number | boolean | null;
  /** JSON of `reactions`, null when none. */
  reactions: string | null;
}

/** Rows come newest first (so LIMIT keeps the newest); messages go out oldest first. */
export function toMessages(rows: MessageRow[]): MessageV2[] {
  const out = new Array<MessageV2>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[rows.length - 1 - i];
    const m: MessageV2 = { seq: r.seq, id: r.id, userId: r.user_id, name: r.name, text: r.text, ts: r.ts };
    if (r.rev !== null) m.rev = r.rev;
    if (r.edited_at !== null) m.editedAt = r.edited_at;
    if (r.deleted) m.deleted = true;
    if (r.reactions !== null) m.reactions = JSON.parse(r.reactions) as Record<string, string[]>;
    out[i] = m;
  }
  return out;
}

export function reactionsJson(m: MessageV2): string | null {
  return m.reactions && Object.keys(m.reactions).length ? JSON.stringify(m.reactions) : null;
}
