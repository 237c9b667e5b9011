import type { MessageV2 } from '@app/shared';

/** The highest `rev` a batch carries, 0 when none does (messages of a version-1 writer). */
export function newestRev(messages: readonly MessageV2[]): number {
  let rev = 0;
  for (const m of messages) if (m.rev !== undefined && m.rev > rev) rev = m.rev;
  return rev;
}
