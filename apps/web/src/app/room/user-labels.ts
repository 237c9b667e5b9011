import type { UserRef } from '@app/shared';

/** How many characters of the user id tell two people of the same name apart. */
const ID_SUFFIX = 4;

/**
 * The name to show for each user id: the display name, and where two different people share it
 * (names are not unique), a short piece of the id after it ("Alice ·x7Qp"), so nobody reads another
 * Alice's read receipt or message as their own.
 */
export function userLabels(users: Iterable<UserRef>): Map<string, string> {
  const idsByName = new Map<string, Set<string>>();
  const nameById = new Map<string, string>();
  for (const u of users) {
    nameById.set(u.id, u.name);
    const key = u.name.trim().toLocaleLowerCase();
    idsByName.set(key, (idsByName.get(key) ?? new Set()).add(u.id));
  }
  const labels = new Map<string, string>();
  for (const [id, name] of nameById) {
    const shared = (idsByName.get(name.trim().toLocaleLowerCase())?.size ?? 0) > 1;
    labels.set(id, shared ? `${name.trim()} ·${id.slice(-ID_SUFFIX)}` : name);
  }
  return labels;
}
