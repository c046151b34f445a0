// Tables through which server processes sharing one database coordinate (migration 1720).
// Neither holds evidence: rows are taken, renewed and swept.

/** A named lease (e.g. `jobs`, the job leader): held by `holder` until `expires_at`. */
export interface LeasesTable {
  name: string;
  holder: string;
  /** Milliseconds since the epoch, by the database's clock. */
  expires_at: number;
}

/** One counted hit of a shared rate limit (PostgreSQL; SQLite counts in memory). */
export interface RateLimitHitsTable {
  bucket: string;
  key: string;
  /** Milliseconds since the epoch, by the database's clock. */
  at: number;
  expires_at: number;
}

export interface CoordinationTables {
  leases: LeasesTable;
  rate_limit_hits: RateLimitHitsTable;
}
