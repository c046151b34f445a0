import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { replayVersions } from './change-records.service.js';

// Pure: version replay over leaves, without a database. Ledgers written before a change's evidence was
// written once hold two events per change (the use case's, then `change.recorded` with the whole
// state); newer ones hold the first only. Both must replay to the same versions.
const at = '2026-11-30T10:00:00.000Z';
const created = {
  seq: 1,
  id: 'e1',
  type: 'system.created',
  recordedAt: at,
  subject: { type: 'ai_system', id: 's', version: 1 },
  after: { id: 's', name: 'Scoring', status: 'proposed', vendor: null, updatedAt: at, version: 1 },
};
const statusChanged = {
  seq: 2,
  id: 'e2',
  type: 'system.status_changed',
  recordedAt: at,
  subject: { type: 'ai_system', id: 's', version: 2 },
  after: { status: 'in_development' },
};
const legacyRecord = {
  seq: 3,
  id: 'e3',
  type: 'change.recorded',
  recordedAt: at,
  subject: { type: 'ai_system', id: 's', version: 2 },
  after: { id: 's', name: 'Scoring', status: 'in_development', vendor: null, version: 2 },
};

describe('version replay', () => {
  test('a ledger written before the evidence was written once replays to the same versions', () => {
    const legacy = replayVersions([created, statusChanged, legacyRecord]);
    const once = replayVersions([created, statusChanged]);
    assert.deepEqual(once.get(2)?.state, legacy.get(2)?.state);
    assert.deepEqual(once.get(2)?.state, { id: 's', name: 'Scoring', status: 'in_development', vendor: null, updatedAt: at, version: 2 });
    assert.deepEqual(
      legacy.get(2)?.events.map((e) => e.type),
      ['system.status_changed', 'change.recorded'],
    );
    assert.deepEqual(once.get(1)?.state, created.after);
  });
});
