import type { Generated } from 'kysely';

/** What the organisation publishes about one AI system. `public_ref` (e.g. `PL-7K3Q9D`) is the only
 * identifier the public sees; nothing of the row is shown while `published` is 0. */
export interface SystemPublicationsTable {
  system_id: string;
  public_ref: string;
  /** 1 = shown on the public pages. */
  published: number;
  public_name: string;
  what_it_does: string;
  what_it_does_not: string;
  /** Whether (and how) a person reviews the system's outputs. */
  human_review: string;
  /** Who oversees it: a published role or name. */
  overseen_by: string;
  how_to_challenge: string;
  published_at: string | null;
  created_at: string;
  updated_at: string;
  updated_by: string | null;
  version: Generated<number>;
}

export interface TransparencyTables {
  system_publications: SystemPublicationsTable;
}
