// GET /api/v1/dashboard at the scale the issue names: 100,000 systems and 1,000,000 ledger events
// (through the real append path), with the records a busy programme holds around them (exceptions,
// incidents, approvals, decisions under review, appeals, paused and restricted systems), on SQLite.
// Reports the median next to /healthz measured the same way in the same run. Target: <= 50 ms.
import { randomUUID } from 'node:crypto';
import type { Store } from '../src/db/store.js';
import { type BenchResult, nowMs, request, seedLedger, startBenchServer, timeGets } from './lib.js';

const SYSTEMS = 100_000;
const EVENTS = Number(process.env.PROOFLINE_BENCH_EVENTS ?? 1_000_000);
const DAY = 86_400_000;

type Sqlite = NonNullable<Store['sqlite']>;

const statuses = ['proposed', 'in_development', 'in_validation', 'approved_for_use', 'in_production', 'restricted', 'paused', 'retired'];
const tiers = ['prohibited', 'high', 'limited', 'minimal', 'unassessed'];
const kinds = ['internal', 'third_party', 'prototype', 'shadow'];
const phases = ['design', 'data_intake', 'development', 'validation', 'deployment', 'operation', 'human_review', 'retirement'];
const exceptionStatuses = ['open', 'triaged', 'investigating', 'remediating', 'verifying', 'closed', 'closed', 'closed', 'rejected'];
const severities = ['low', 'medium', 'high', 'critical'];
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** The inventory and the records around it, written directly (the inventory's own import is benchmarked elsewhere). */
export function seedRecords(db: Sqlite, userId: string): string[] {
  const ids: string[] = [];
  const now = new Date().toISOString();
  const system = db.prepare(`insert into ai_systems (id, name, purpose, intended_use, description, ai_type, deployment_kind, status,
    eu_risk_tier, jurisdictions, tags, links, accountable_owner_id, triaged_at, runtime_default, created_at, updated_at, version)
    values (?, ?, 'Bench purpose', 'Bench use', '', 'machine_learning', ?, ?, ?, '["EU"]', '[]', '[]', ?, ?, 'paused', ?, ?, 1)`);
  const phaseOwner = db.prepare('insert into system_phase_owners (system_id, phase, user_id, assigned_at) values (?, ?, ?, ?)');
  const runtime = db.prepare(`insert into system_runtime (system_id, state, updated_at) values (?, ?, ?)`);
  const exception = db.prepare(`insert into exceptions (id, system_id, kind, title, description, severity, status, detected_at,
    raised_by_type, raised_by_ref, owner_id, resolver_id, due_at, root_cause_category, root_cause_key, recurring, closed_at, created_at, updated_at)
    values (?, ?, ?, 'Bench exception', 'Bench', ?, ?, ?, 'person', 'bench', ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const incident = db.prepare(
    `insert into incidents (exception_id, harm_categories, aware_at, updated_at) values (?, '["health_safety"]', ?, ?)`,
  );
  const policy = db.prepare('select id, current_version as version from approval_policies limit 1').get() as {
    id: string;
    version: number;
  };
  const approval = db.prepare(`insert into approval_requests (id, kind, subject_type, subject_id, title, justification, content,
    content_digest, revision, policy_id, policy_version, status, requested_by, created_at, revised_at, completed_at, retrospective_due_at, updated_at)
    values (?, 'system_use', 'ai_system', ?, 'Bench request', 'Bench', '{}', ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const batchId = randomUUID();
  const decision =
    db.prepare(`insert into decisions (id, system_id, decision_id, decided_at, output, batch_id, received_at, review_status, reviewed_at)
    values (?, ?, ?, ?, 'ok', ?, ?, ?, ?)`);
  const appeal =
    db.prepare(`insert into appeals (id, case_number, system_ref, decision_ref, channel, statement, status, due_at, resolved_at,
    secret_hash, created_at, updated_at) values (?, ?, ?, 'D-1', 'public', 'Bench statement', ?, ?, ?, 'x', ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < SYSTEMS; i++) {
      const id = randomUUID();
      ids.push(id);
      const kind = kinds[i % 4];
      system.run(
        id,
        `System ${String(i).padStart(6, '0')}`,
        kind,
        statuses[i % 8],
        tiers[i % 5],
        i % 10 === 0 ? null : userId,
        kind === 'shadow' && i % 3 === 0 ? null : now,
        now,
        now,
      );
      if (i % 3 === 0) for (const phase of phases.slice(0, 3)) phaseOwner.run(id, phase, userId, now);
      if (i % 200 === 0) runtime.run(id, i % 400 === 0 ? 'paused' : 'restricted', now);
    }
    db.prepare(`insert into decision_batches (id, record_count, digest, received_at) values (?, 0, 'x', ?)`).run(batchId, now);
    for (let i = 0; i < 5000; i++) {
      const id = randomUUID();
      const status = exceptionStatuses[i % exceptionStatuses.length];
      const detected = ago(i % 120);
      const isIncident = i % 25 === 0;
      exception.run(
        id,
        ids[i % 5000],
        isIncident ? 'incident' : 'deviation',
        severities[i % 4],
        status,
        detected,
        userId,
        userId,
        ago((i % 120) - 14),
        i % 7 === 0 ? 'data' : null,
        i % 7 === 0 ? `data:cause ${i % 13}` : null,
        i % 21 === 0 ? 1 : 0,
        status === 'closed' ? ago(i % 60) : null,
        detected,
        now,
      );
      if (isIncident) incident.run(id, detected, now);
    }
    for (let i = 0; i < 2000; i++) {
      const pending = i % 5 === 0;
      approval.run(
        randomUUID(),
        ids[i],
        randomUUID().replaceAll('-', ''),
        policy.id,
        policy.version,
        pending ? 'pending' : 'approved',
        userId,
        ago(i % 100),
        ago(i % 100),
        pending ? null : ago((i % 100) - 1),
        pending && i % 10 === 0 ? ago(1) : null,
        now,
      );
    }
    for (let i = 0; i < 200_000; i++) {
      const review = i % 20 === 0 ? 'pending' : i % 20 === 1 ? 'confirmed' : i % 20 === 2 ? 'overridden' : null;
      decision.run(randomUUID(), ids[i % SYSTEMS], `D-${i}`, now, batchId, now, review, review && review !== 'pending' ? now : null);
    }
    for (let i = 0; i < 2000; i++) {
      const status = ['received', 'in_review', 'resolved', 'resolved'][i % 4];
      appeal.run(
        randomUUID(),
        `APL-2026-${String(i).padStart(6, '0')}`,
        ids[i],
        status,
        ago((i % 60) - 30),
        status === 'resolved' ? ago(i % 30) : null,
        ago(i % 60),
        now,
      );
    }
  })();
  db.exec('analyze');
  return ids;
}

const OVERSIGHT = ['oversight.paused', 'oversight.restricted', 'oversight.resumed'];

export async function run(): Promise<BenchResult[]> {
  const s = await startBenchServer();
  try {
    const db = s.server.store.sqlite as Sqlite;
    const user = db.prepare('select id from users limit 1').get() as { id: string };
    let t = nowMs();
    const ids = seedRecords(db, user.id);
    console.error(`dashboard: seeded ${SYSTEMS} systems and their records in ${Math.round(nowMs() - t)} ms`);
    t = nowMs();
    await seedLedger(s.server.store, EVENTS, (i) => ({
      type: i % 200 === 0 ? OVERSIGHT[i % 3] : i % 2 ? 'system.updated' : 'decisions.batch_recorded',
      subject: { type: 'ai_system', id: ids[i % ids.length] },
      data: { i },
    }));
    console.error(`dashboard: appended ${EVENTS} ledger events in ${Math.round(nowMs() - t)} ms`);
    const headers = { authorization: `Bearer ${s.token}` };
    const baseline = await timeGets(`${s.url}/healthz`, {}, 20, 100);
    // A second yardstick for a loaded machine: a filtered page of the inventory (its own target is 10 ms).
    const page = await timeGets(`${s.url}/api/v1/systems?status=in_production&limit=50`, headers, 10, 60);
    const dashboard = await timeGets(`${s.url}/api/v1/dashboard`, headers, 10, 60);
    const sample = JSON.parse((await request(`${s.url}/api/v1/dashboard`, { headers })).body) as {
      systems: { total: { count: number } };
      ledger: { size: { count: number } };
    };
    if (sample.systems.total.count !== SYSTEMS || sample.ledger.size.count < EVENTS) {
      throw new Error(`dashboard counted ${sample.systems.total.count} systems and ${sample.ledger.size.count} events`);
    }
    return [
      {
        name: `GET /dashboard, ${SYSTEMS.toLocaleString('en')} systems and ${EVENTS.toLocaleString('en')} events, median`,
        value: dashboard,
        unit: 'ms',
        baseline,
        ratio: dashboard / baseline,
        target: '<= 50 ms',
        pass: dashboard <= 50,
      },
      {
        name: 'the same run: one filtered page of the inventory, median (yardstick of the machine)',
        value: page,
        unit: 'ms',
        baseline,
        ratio: page / baseline,
        target: '<= 10 ms',
        pass: page <= 10,
      },
    ];
  } finally {
    await s.stop();
  }
}
