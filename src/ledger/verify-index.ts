// The index columns of ledger_events (INDEX_COLUMNS) held against the leaf they were copied from.
// Queries filter on those columns (a system's timeline, GET /ledger/events by type, subject, actor,
// time), but only the leaf is hashed: a rewritten column would hide or misfile an event while
// every hash still matched. Verification checks each row on its hot path, so the usual case reads
// no JSON: each column's bytes are compared with the string in the canonical leaf at the place
// RFC 8785 key order puts it. A row that case cannot confirm (an escaped character, an unusual
// shape, or a real mismatch) is decided by JSON.parse of the leaf, which also names the column.
import { COLUMN_STRIDE, INDEX_COLUMN_COUNT, INDEX_COLUMNS, type IndexColumn, type LeafBatch } from './leaf-batch.js';
import { systemIdOfEvent } from './system-index.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const token = (text: string) => Buffer.from(text, 'latin1');

const SEQ_KEY = token('"seq":');
const ACTOR_EMAIL = token('{"actor":{"email":');
const ID = token(',"id":');
const ID_STRING = token(',"id":"');
const NULL = token('null');
const RECORDED_AT = token(',"recordedAt":');
const ON_BEHALF_OF = token(',"onBehalfOf":');
const REASON = token(',"reason":');
const SOURCE_ADDRESS = token(',"sourceAddress":');
const SUBJECT_ID = token(',"subject":{"id":');
const TYPE = token(',"type":');
const VERSION = token(',"version":');
const DATA_KEY = token('"data":');
const SYSTEM_ID_KEY = token('"systemId":');
const AI_SYSTEM = token('ai_system');

// Column positions in INDEX_COLUMNS.
const EVENT_ID = 0;
const EVENT_TYPE = 1;
const ACTOR_ID = 2;
const SUBJECT_TYPE = 3;
const SUBJECT_ID_COLUMN = 4;
const RECORDED_AT_COLUMN = 5;
const SYSTEM_ID_COLUMN = 6;

/**
 * Where the top-level `"seq":` of the leaf at bytes[start, end) begins, or -1. In canonical JSON
 * the top-level keys are sorted, and only sourceAddress, subject, type, v and via sort after "seq":
 * their values are strings, a number, {id, type, version} and {channel, credential, host, osUser},
 * none of which can hold the bytes `"seq":` (a quote inside a string is escaped). So the LAST
 * `"seq":` is the top-level one.
 */
export function seqKeyAt(bytes: Buffer, start: number, end: number): number {
  return lastIndexIn(bytes, SEQ_KEY, start, end - SEQ_KEY.length);
}

// The searches here run a few dozen bytes each, per row: a loop in JS costs less than a call
// into Buffer's native indexOf/lastIndexOf would, and this is verification's hot path.

/** The last position in [start, from] where `expected` begins, or -1. */
function lastIndexIn(bytes: Buffer, expected: Buffer, start: number, from: number): number {
  const first = expected[0];
  for (let q = from; q >= start; q--) {
    if (bytes[q] !== first) continue;
    let k = 1;
    while (k < expected.length && bytes[q + k] === expected[k]) k += 1;
    if (k === expected.length) return q;
  }
  return -1;
}

/** The digits after the `"seq":` at `at`, or -1. */
export function seqAfterKey(bytes: Buffer, at: number, end: number): number {
  let value = 0;
  let i = at + SEQ_KEY.length;
  const first = i;
  for (; i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39; i++) value = value * 10 + (bytes[i] - 0x30);
  return i === first ? -1 : value;
}

const has = (bytes: Buffer, p: number, end: number, expected: Buffer): boolean => {
  if (p < 0 || p + expected.length > end) return false;
  for (let k = 0; k < expected.length; k++) if (bytes[p + k] !== expected[k]) return false;
  return true;
};

/** The position after the JSON string starting at p (escapes honoured), or -1. */
function afterString(bytes: Buffer, p: number, end: number): number {
  if (p < 0 || bytes[p] !== QUOTE) return -1;
  for (let q = p + 1; q < end; q++) {
    if (bytes[q] === BACKSLASH)
      q += 1; // the escaped character, a quote included, is skipped
    else if (bytes[q] === QUOTE) return q + 1;
  }
  return -1;
}

const afterDigits = (bytes: Buffer, p: number, end: number): number => {
  while (p < end && bytes[p] >= 0x30 && bytes[p] <= 0x39) p += 1;
  return p;
};

/**
 * The position after the JSON value at p when it is exactly the column's value: `null` for SQL
 * NULL, else a string whose bytes equal the column's. A string holding a quote or a backslash is
 * not confirmed here (its bytes differ from its value): -1, and the caller decides by parsing.
 */
function afterColumn(bytes: Buffer, p: number, end: number, from: number, to: number, isNull: number): number {
  if (isNull === 1) return has(bytes, p, end, NULL) ? p + NULL.length : -1;
  const length = to - from;
  if (p < 0 || p + length + 2 > end || bytes[p] !== QUOTE || bytes[p + 1 + length] !== QUOTE) return -1;
  for (let k = 0; k < length; k++) {
    const c = bytes[p + 1 + k];
    if (c !== bytes[from + k] || c === QUOTE || c === BACKSLASH) return -1;
  }
  return p + length + 2;
}

/** afterColumn for column j of the row whose cells start at offsets[cells] and nulls[nullAt]
 * (a plain function rather than a closure per row: this is the hot path). */
function cell(
  bytes: Buffer,
  end: number,
  offsets: Uint32Array,
  nulls: Uint8Array,
  cells: number,
  nullAt: number,
  j: number,
  p: number,
): number {
  return afterColumn(bytes, p, end, offsets[cells + j], offsets[cells + j + 1], nulls[nullAt + j]);
}

/** Where the value of the top-level `key` (`"key":`) of the object starting at p begins, or -1: a
 * depth-counting scan that skips strings, so a key of a nested object is never taken for it. */
function valueOfKey(bytes: Buffer, p: number, end: number, key: Buffer): number {
  if (bytes[p] !== OPEN_BRACE) return -1;
  let depth = 0;
  for (let q = p; q < end; q++) {
    const c = bytes[q];
    if (c === QUOTE) {
      // At depth 1 a string followed by ':' is a key (a string value is followed by ',' or '}').
      if (depth === 1 && has(bytes, q, end, key)) return q + key.length;
      q = afterString(bytes, q, end) - 1;
      if (q < 0) return -1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth -= 1;
      if (depth === 0) return -1;
    }
  }
  return -1;
}

/** Whether two cells of a row hold the same bytes, neither NULL. */
function sameCells(bytes: Buffer, offsets: Uint32Array, nulls: Uint8Array, cells: number, nullAt: number, a: number, b: number): boolean {
  if (nulls[nullAt + a] === 1 || nulls[nullAt + b] === 1) return false;
  const length = offsets[cells + a + 1] - offsets[cells + a];
  if (length !== offsets[cells + b + 1] - offsets[cells + b]) return false;
  for (let k = 0; k < length; k++) if (bytes[offsets[cells + a] + k] !== bytes[offsets[cells + b] + k]) return false;
  return true;
}

/** Whether a cell holds exactly `expected`. */
function cellIs(
  bytes: Buffer,
  offsets: Uint32Array,
  nulls: Uint8Array,
  cells: number,
  nullAt: number,
  j: number,
  expected: Buffer,
): boolean {
  if (nulls[nullAt + j] === 1 || offsets[cells + j + 1] - offsets[cells + j] !== expected.length) return false;
  for (let k = 0; k < expected.length; k++) if (bytes[offsets[cells + j] + k] !== expected[k]) return false;
  return true;
}

/**
 * Whether the system_id cell is the leaf's system (system-index.ts: the subject's id when it is an
 * ai_system, else a non-empty string `data.systemId`, else null). The subject columns are confirmed
 * against the leaf before this runs, so an ai_system subject compares the two cells.
 */
function systemIdMatches(
  bytes: Buffer,
  start: number,
  end: number,
  offsets: Uint32Array,
  nulls: Uint8Array,
  cells: number,
  nullAt: number,
): boolean {
  if (cellIs(bytes, offsets, nulls, cells, nullAt, SUBJECT_TYPE, AI_SYSTEM)) {
    return sameCells(bytes, offsets, nulls, cells, nullAt, SYSTEM_ID_COLUMN, SUBJECT_ID_COLUMN);
  }
  const data = valueOfKey(bytes, start, end, DATA_KEY);
  const value = data < 0 ? -1 : valueOfKey(bytes, data, end, SYSTEM_ID_KEY);
  const isNull = nulls[nullAt + SYSTEM_ID_COLUMN] === 1;
  // No string systemId in data (absent, not an object, or another JSON type): the column is NULL.
  if (value < 0 || bytes[value] !== QUOTE) return isNull;
  // An empty string is no system: NULL too.
  if (bytes[value + 1] === QUOTE) return isNull;
  return cell(bytes, end, offsets, nulls, cells, nullAt, SYSTEM_ID_COLUMN, value) >= 0;
}

/**
 * Whether every index column of row `row` (see LeafBatch.columnOffsets) is confirmed equal to its field in the leaf at bytes[start, end), walking the leaf as
 * eventLeaf (event-leaf.ts) writes it. False means "not confirmed", not "different".
 */
export function columnsMatchLeaf(
  bytes: Buffer,
  start: number,
  end: number,
  seqAt: number,
  offsets: Uint32Array,
  nulls: Uint8Array,
  row: number,
): boolean {
  const cells = row * COLUMN_STRIDE;
  const nullAt = row * INDEX_COLUMN_COUNT;

  // {"actor":{"email":...,"id":ACTOR_ID: the actor is canonical {email, id, kind, name, roles, tokenId?}.
  if (!has(bytes, start, end, ACTOR_EMAIL)) return false;
  let p = start + ACTOR_EMAIL.length;
  p = has(bytes, p, end, NULL) ? p + NULL.length : afterString(bytes, p, end);
  if (!has(bytes, p, end, ID) || cell(bytes, end, offsets, nulls, cells, nullAt, ACTOR_ID, p + ID.length) < 0) return false;

  // After seq: [,"sourceAddress":"..."],"subject":{"id":SUBJECT_ID,"type":SUBJECT_TYPE[,"version":n]},"type":TYPE,"v":
  p = afterDigits(bytes, seqAt + SEQ_KEY.length, end);
  if (has(bytes, p, end, SOURCE_ADDRESS)) p = afterString(bytes, p + SOURCE_ADDRESS.length, end);
  if (!has(bytes, p, end, SUBJECT_ID)) return false;
  p = cell(bytes, end, offsets, nulls, cells, nullAt, SUBJECT_ID_COLUMN, p + SUBJECT_ID.length);
  if (!has(bytes, p, end, TYPE)) return false;
  p = cell(bytes, end, offsets, nulls, cells, nullAt, SUBJECT_TYPE, p + TYPE.length);
  if (p >= 0 && has(bytes, p, end, VERSION)) p = afterDigits(bytes, p + VERSION.length, end);
  if (p < 0 || bytes[p] !== CLOSE_BRACE || !has(bytes, p + 1, end, TYPE)) return false;
  if (cell(bytes, end, offsets, nulls, cells, nullAt, EVENT_TYPE, p + 1 + TYPE.length) < 0) return false;

  // Before seq: ,"recordedAt":RECORDED_AT[,"references":[strings]],"requestId":"...". `,"` never
  // occurs inside a string, so the last `,"recordedAt":` before seq is the top-level key.
  const recordedAt = lastIndexIn(bytes, RECORDED_AT, start, seqAt - RECORDED_AT.length);
  if (recordedAt < 0 || cell(bytes, end, offsets, nulls, cells, nullAt, RECORDED_AT_COLUMN, recordedAt + RECORDED_AT.length) < 0)
    return false;

  // ,"id":EVENT_ID[,"onBehalfOf":"..."][,"reason":"..."] must lead exactly to recordedAt: then
  // this "id" is a sibling of recordedAt, the top-level one (a patch in between is not confirmed).
  const id = lastIndexIn(bytes, ID_STRING, start, recordedAt - ID_STRING.length);
  if (id < 0) return false;
  p = cell(bytes, end, offsets, nulls, cells, nullAt, EVENT_ID, id + ID.length);
  if (has(bytes, p, end, ON_BEHALF_OF)) p = afterString(bytes, p + ON_BEHALF_OF.length, end);
  if (has(bytes, p, end, REASON)) p = afterString(bytes, p + REASON.length, end);
  if (p !== recordedAt) return false;
  return systemIdMatches(bytes, start, end, offsets, nulls, cells, nullAt);
}

/** Whether row i's own top-level seq is its seq column and every index column is confirmed
 * against its leaf: the checks of verify.service.ts's checkBatch after the hash, as one verdict. */
export function rowConfirmed(leaves: Buffer, batch: LeafBatch, i: number): boolean {
  const start = batch.leafStarts[i] + 1;
  const end = batch.leafEnds[i];
  const seqAt = seqKeyAt(leaves, start, end);
  if (seqAt < 0 || seqAfterKey(leaves, seqAt, end) !== batch.seqs[i]) return false;
  return columnsMatchLeaf(leaves, start, end, seqAt, batch.columnOffsets, batch.columnNulls, i);
}

/** Checks rows [batch.checkedRows, upTo) into batch.rowsConfirmed: what the reading thread does
 * with time to spare, so the hashing thread skips the confirmed rows' checks. */
export function checkRowsAhead(batch: LeafBatch, upTo: number): void {
  if (batch.rowsConfirmed.length === 0) batch.rowsConfirmed = new Uint8Array(batch.count);
  const leaves = Buffer.from(batch.leaves.buffer, batch.leaves.byteOffset, batch.leaves.length);
  const end = Math.min(upTo, batch.count);
  for (let i = batch.checkedRows; i < end; i++) batch.rowsConfirmed[i] = rowConfirmed(leaves, batch, i) ? 1 : 0;
  batch.checkedRows = Math.max(batch.checkedRows, end);
}

export interface ColumnMismatch {
  /** Absent when the leaf is not a JSON object, so no column can be held against it. */
  column?: IndexColumn;
  message: string;
}

/** The first index column of the row that differs from the leaf's own field (JSON.parse), or null. */
export function columnMismatch(
  bytes: Buffer,
  start: number,
  end: number,
  offsets: Uint32Array,
  nulls: Uint8Array,
  row: number,
): ColumnMismatch | null {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(bytes.toString('utf8', start, end));
  } catch {
    return { message: 'the leaf is not JSON, so its index columns cannot be checked' };
  }
  if (typeof event !== 'object' || event === null) return { message: 'the leaf is not a JSON object' };
  const field = (value: unknown, key: string) =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  const expected: Record<IndexColumn, unknown> = {
    event_id: event.id,
    type: event.type,
    actor_id: field(event.actor, 'id') ?? null,
    subject_type: field(event.subject, 'type'),
    subject_id: field(event.subject, 'id'),
    recorded_at: event.recordedAt,
    system_id: systemIdOfEvent(event),
  };
  for (let j = 0; j < INDEX_COLUMN_COUNT; j++) {
    const column = INDEX_COLUMNS[j];
    const k = row * COLUMN_STRIDE + j;
    const stored = nulls[row * INDEX_COLUMN_COUNT + j] === 1 ? null : bytes.toString('utf8', offsets[k], offsets[k + 1]);
    if (stored !== expected[column]) {
      return { column, message: `column ${column} holds ${show(stored)} but the leaf says ${show(expected[column])}` };
    }
  }
  return null;
}

const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
};
