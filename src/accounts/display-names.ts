// People's display names for responses that carry user ids: one query for a whole page of rows
// (an `in (...)` lookup, 500 ids at a time), never one per row.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** The display name of each known id (deactivated users keep their name; unknown ids are absent). */
export async function displayNames(db: Kysely<Database>, ids: Iterable<string | null | undefined>): Promise<Map<string, string>> {
  const unique = [...new Set([...ids].filter((id): id is string => typeof id === 'string'))];
  const names = new Map<string, string>();
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'display_name'])
      .where('id', 'in', unique.slice(i, i + 500))
      .execute();
    for (const row of rows) names.set(row.id, row.display_name);
  }
  return names;
}

/** The name of `id` in `names`, or null when there is no id (or no such user). */
export const nameOf = (names: Map<string, string>, id: string | null | undefined): string | null => (id ? (names.get(id) ?? null) : null);
