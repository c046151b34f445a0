// Optimistic concurrency, the same everywhere: a write names the version of the record it read
// (If-Match or body.version) and is refused with `version_conflict` (409) when the record moved on,
// and the write itself is guarded by the version it read, so a concurrent write loses the same way.
import { AppError } from './errors.js';

/** The one refusal: `what` ("system 1f3c…") changed since the caller read it. */
export function versionConflict(what: string, readVersion: number, currentVersion?: number): AppError {
  const now = currentVersion === undefined ? '' : `, it is now version ${currentVersion}`;
  return new AppError('version_conflict', `${what} changed since you read it (you read version ${readVersion}${now}); read it again`, {
    expectedVersion: readVersion,
    ...(currentVersion === undefined ? {} : { currentVersion }),
  });
}

/** Refuses a stale version sent by the caller; a caller that sent none is not checked. */
export function assertExpectedVersion(what: string, current: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== current) throw versionConflict(what, expected, current);
}

/** Refuses when an UPDATE guarded by `where version = readVersion` changed no row: another write won. */
export function assertGuardedWrite(what: string, result: { numUpdatedRows: bigint | number }, readVersion: number): void {
  if (Number(result.numUpdatedRows) !== 1) throw versionConflict(what, readVersion);
}
