// GET /api/v1/controls/status for the organisation at the scale the issue names: 1,000 AI systems
// and 1,000,000 ledger events (through the real append path), with owners, phase owners, rosters,
// approved requests and overdue exceptions around them, on SQLite. The first read records every
// status (control_status); the timed reads are the steady state, where nothing changed (served from
// the cache, controls.cache.ts), then reads just after a change (a full evaluation each).
// Reports the median next to /healthz measured the same way in the same run. Target: <= 200 ms.
import { randomUUID } from 'node:crypto';
import type { Store } from '../src/db/store.js';
import { type BenchResult, median, nowMs, request, seedLedger, startBenchServer, timeGets } from './lib.js';

const SYSTEMS = 1_000;
const EVENTS = Number(process.env.PROOFLINE_BENCH_EVENTS ?? 1_000_000);
const DAY = 86_400_000;
type Sqlite = NonNullable<Store['sqlite']>;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

export function seedSystems(db: Sqlite, userId: string): string[] {
  const ids: string[] = [];
  const now = new Date().toISOString();
  const system = db.prepare(`insert into ai_systems (id, name, purpose, intended_use, description, ai_type, deployment_kind, status,
    eu_risk_tier, jurisdictions, tags, links, accountable_owner_id, triaged_at, runtime_default, created_at, updated_at, version)
    values (?, ?, 'Bench purpose', 'Bench use', '', 'machine_learning', ?, 'in_production', 'high', '["EU"]', '[]', '[]', ?, ?, 'paused', ?, ?, 1)`);
  const phaseOwner = db.prepare('insert into system_phase_owners (system_id, phase, user_id, assigned_at) values (?, ?, ?, ?)');
  const roster =
    db.prepare(`insert into oversight_roster (system_id, user_id, authorities, competence, training, added_at, added_by, updated_at)
    values (?, ?, '["pause"]', 'Bench', 'Bench', ?, ?, ?)`);
  const policy = db.prepare('select id, current_version as version from approval_policies limit 1').get() as {
    id: string;
    version: number;
  };
  const approval = db.prepare(`insert into approval_requests (id, kind, subject_type, subject_id, system_id, title, justification, content,
    content_digest, revision, policy_id, policy_version, status, requested_by, created_at, revised_at, completed_at, updated_at)
    values (?, 'system_use', 'ai_system', ?, ?, 'Bench request', 'Bench', '{}', ?, 1, ?, ?, 'approved', ?, ?, ?, ?, ?)`);
  const exception = db.prepare(`insert into exceptions (id, system_id, kind, title, description, severity, status, detected_at,
    raised_by_type, raised_by_ref, owner_id, resolver_id, due_at, recurring, created_at, updated_at)
    values (?, ?, ?, 'Bench exception', 'Bench', 'high', 'open', ?, 'person', 'bench', ?, ?, ?, 0, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < SYSTEMS; i++) {
      const id = randomUUID();
      ids.push(id);
      const kind = i % 10 === 0 ? 'third_party' : 'internal';
      system.run(id, `System ${String(i).padStart(4, '0')}`, kind, i % 7 === 0 ? null : userId, now, now, now);
      if (i % 3 !== 0) phaseOwner.run(id, 'operation', userId, now);
      if (i % 4 !== 0) roster.run(id, userId, now, userId, now);
      if (i % 2 === 0)
        approval.run(randomUUID(), id, id, randomUUID().replaceAll('-', ''), policy.id, policy.version, userId, now, now, now, now);
      // Every fifth system has exceptions, some of them overdue.
      if (i % 5 === 0)
        for (let k = 0; k < 4; k++)
          exception.run(randomUUID(), id, k === 0 ? 'incident' : 'deviation', ago(30), userId, userId, ago(k % 2 ? 10 : -10), now, now);
    }
  })();
  db.exec('analyze');
  return ids;
}

const TYPES = ['decisions.batch_recorded', 'system.intended_use_changed', 'system.phase_owner_assigned', 'oversight.paused'];

export async function run(): Promise<BenchResult[]> {
  const s = await startBenchServer();
  try {
    const db = s.server.store.sqlite as Sqlite;
    const user = db.prepare('select id from users limit 1').get() as { id: string };
    let t = nowMs();
    const ids = seedSystems(db, user.id);
    console.error(`controls: seeded ${SYSTEMS} systems and their records in ${Math.round(nowMs() - t)} ms`);
    t = nowMs();
    // The events spread over the systems, a few of them oversight pauses.
    await seedLedger(s.server.store, EVENTS, (i) => ({
      type: TYPES[i % 200 === 0 ? 3 : i % 3],
      subject: { type: 'ai_system', id: ids[i % ids.length] },
      data: { i },
    }));
    console.error(`controls: appended ${EVENTS} ledger events in ${Math.round(nowMs() - t)} ms`);
    const headers = { authorization: `Bearer ${s.token}` };
    const baseline = await timeGets(`${s.url}/healthz`, {}, 20, 100);
    const url = `${s.url}/api/v1/controls/status?framework=iso42001`;
    const first = JSON.parse((await request(url, { headers })).body) as { items: Array<{ controlId: string; systems: unknown[] }> };
    const a92 = first.items.find((i) => i.controlId === 'iso42001:A.9.2');
    if (a92?.systems.length !== SYSTEMS) throw new Error(`controls: A.9.2 evaluated on ${a92?.systems.length} systems`);
    const status = await timeGets(url, headers, 5, 30);
    // Just after a change: one more ledger event before each read, so each is a full evaluation
    // (the cache's miss path: facts read, rules evaluated, changes looked up, the text serialised).
    const afterChange: number[] = [];
    for (let k = 0; k < 15; k++) {
      await seedLedger(s.server.store, 1, () => ({ type: TYPES[0], subject: { type: 'ai_system', id: ids[k] }, data: { k } }));
      const t0 = nowMs();
      const res = await request(url, { headers });
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
      afterChange.push(nowMs() - t0);
    }
    const changed = median(afterChange);
    return [
      {
        name: `GET /controls/status (organisation), ${SYSTEMS.toLocaleString('en')} systems and ${EVENTS.toLocaleString('en')} events, median`,
        value: status,
        unit: 'ms',
        baseline,
        ratio: status / baseline,
        target: '<= 200 ms',
        pass: status <= 200,
      },
      {
        name: 'the same, read just after a change (a full evaluation each time), median',
        value: changed,
        unit: 'ms',
        baseline,
        ratio: changed / baseline,
        target: '<= 200 ms',
        pass: changed <= 200,
      },
    ];
  } finally {
    await s.stop();
  }
}
