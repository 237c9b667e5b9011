import type { UserRef } from '@app/shared';

/** "Ana is typing…", "Ana and Bo are typing…", "Ana, Bo and 2 others are typing…". */
export function typingLabel(users: readonly UserRef[]): string {
  const names = users.map((u) => u.name);
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  const others = names.length - 2;
  return `${names[0]}, ${names[1]} and ${others} other${others > 1 ? 's' : ''} are typing…`;
}
