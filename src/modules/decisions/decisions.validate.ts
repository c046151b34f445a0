// Structural checks of a decision batch, record by record, collecting every problem (index and
// field) so the sender can fix the whole batch at once. Hand-written rather than a generic schema
// validator: it runs on every record at tens of thousands of records per second. The shape, its
// field names and limits come from DecisionRecord (decisions.schema.ts); a property test holds this
// checker and the compiled schema to the same verdicts.

import type { RecordProblem } from '../../ingest/batch.js';
import { isDateTime } from '../../server/input.js';
import {
  DecisionRecord,
  DIGEST_PATTERN,
  FEATURE_NAME_PATTERN,
  MAX_CATEGORY_LENGTH,
  MAX_ID_LENGTH,
  MAX_RECORD_FEATURES,
  MAX_REF_LENGTH,
} from './decisions.schema.js';

export type { RecordProblem } from '../../ingest/batch.js';

const KNOWN_FIELDS = new Set(Object.keys(DecisionRecord.properties));
const DIGEST = new RegExp(DIGEST_PATTERN);
const MAX_ID = MAX_ID_LENGTH;
const MAX_REF = MAX_REF_LENGTH;
const FEATURE_NAME = new RegExp(FEATURE_NAME_PATTERN);

/** The shape of `features` (whether each is declared, and of its kind, the service checks). */
function checkFeatures(value: unknown, problem: (field: string, message: string) => void): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problem('features', 'must be an object: feature name -> number or category');
    return;
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_RECORD_FEATURES) problem('features', `at most ${MAX_RECORD_FEATURES} features per record`);
  for (const [name, v] of entries) {
    if (!FEATURE_NAME.test(name)) problem(`features.${name}`, 'is not a feature name (a-z, 0-9, _; starting with a letter; up to 50)');
    else if (typeof v === 'string' ? v.length === 0 || v.length > MAX_CATEGORY_LENGTH : typeof v !== 'number') {
      problem(`features.${name}`, `must be a number or a category of 1 to ${MAX_CATEGORY_LENGTH} characters`);
    }
  }
}

function optionalString(value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) return 'x';
  return null;
}

/** Returns the problems of one record (empty when well-formed). */
export function checkRecord(record: unknown, index: number, out: RecordProblem[]): void {
  const problem = (field: string, message: string) => out.push({ index, field, message });
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    problem('', 'must be an object');
    return;
  }
  const r = record as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!KNOWN_FIELDS.has(key)) problem(key, 'is not a known field');
  for (const key of ['decisionId', 'systemId'] as const) {
    const v = r[key];
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID) problem(key, `is required: a string of 1 to ${MAX_ID} characters`);
  }
  if (optionalString(r.modelVersionId, MAX_ID)) problem('modelVersionId', `must be a string of 1 to ${MAX_ID} characters`);
  if (typeof r.decidedAt !== 'string' || !isDateTime(r.decidedAt)) {
    problem('decidedAt', 'is required: an ISO 8601 date-time with a time zone');
  }
  if (optionalString(r.inputRef, MAX_REF)) problem('inputRef', `must be a string of 1 to ${MAX_REF} characters`);
  if (r.inputDigest !== undefined && r.inputDigest !== null && (typeof r.inputDigest !== 'string' || !DIGEST.test(r.inputDigest))) {
    problem('inputDigest', 'must be a SHA-256 hex digest (64 lower-case hex characters, optionally prefixed sha256:)');
  }
  if ((r.inputRef ?? null) === null && (r.inputDigest ?? null) === null && r.rawInput === undefined) {
    problem('inputRef', 'give an input reference or an input digest');
  }
  if (r.output === undefined) problem('output', 'is required');
  if (
    r.confidence !== undefined &&
    r.confidence !== null &&
    (typeof r.confidence !== 'number' || !(r.confidence >= 0 && r.confidence <= 1))
  ) {
    problem('confidence', 'must be a number from 0 to 1');
  }
  if (r.humanReviewed !== undefined && typeof r.humanReviewed !== 'boolean') problem('humanReviewed', 'must be true or false');
  if (optionalString(r.reviewedBy, MAX_ID)) problem('reviewedBy', `must be a string of 1 to ${MAX_ID} characters`);
  if (r.features !== undefined) checkFeatures(r.features, problem);
  if (r.humanReviewed === true && (r.reviewedBy ?? null) === null) problem('reviewedBy', 'say who reviewed it when humanReviewed is true');
}
