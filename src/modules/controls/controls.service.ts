// Live control status: the facts of every AI system in scope read in a handful of queries, the
// evidence rules (controls.rules.ts) evaluated on them, per system and for the organisation.
// ISO/IEC 42001 controls without a rule are manual; other frameworks' controls take the status of
// the ISO controls they are crosswalked to, or are manual when no link leads to a rule.
import type { Kysely } from 'kysely';
import { displayNames, withNames } from '../../accounts/display-names.js';
import type { Database } from '../../db/schema.js';
import type { Store } from '../../db/store.js';
import { AppError } from '../../errors.js';
import {
  type Control,
  controlsOf,
  crosswalkOf,
  FRAMEWORK_IDS,
  type FrameworkId,
  isFrameworkId,
  otherEnd,
} from '../../frameworks/catalog.js';
import { reviewOverdue } from '../../governance/review-schedule.js';
import { excludedControls } from '../../governance/soa.js';
import { lastVerification } from '../../ledger/verifications.js';
import { cachedEvaluation } from './controls.cache.js';
import {
  type ConditionResult,
  type ControlStatus,
  combineStatuses,
  EVIDENCE_RULES,
  evaluateForSystem,
  FIX_AT,
  OPEN_EXCEPTION,
  type RecordRef,
  type SystemFacts,
} from './controls.rules.js';
import { type ComputedStatus, sinceOf, trackStatusChanges } from './controls.transitions.js';

type Db = Kysely<Database>;

/** Only the controls (and ISO's clause 7.5.3) get a status; objectives, functions and articles group them. */
const ASSESSED_KINDS = new Set(['control', 'subcategory', 'article']);

export function requireStatusFramework(id: string): FrameworkId {
  if (!isFrameworkId(id))
    throw new AppError('not_found', `framework ${id} does not exist`, { resource: 'framework', id, known: [...FRAMEWORK_IDS] });
  return id;
}

const group = <T extends { system_id: string | null }>(rows: T[], toRef: (row: T) => RecordRef) => {
  const bySystem = new Map<string, RecordRef[]>();
  for (const row of rows) {
    if (row.system_id === null) continue;
    const list = bySystem.get(row.system_id) ?? [];
    list.push(toRef(row));
    bySystem.set(row.system_id, list);
  }
  return bySystem;
};

/** The facts of the systems in scope (every system not retired, or the one asked for), read once. */
export async function loadSystemFacts(db: Db, { systemId, now }: { systemId?: string; now: Date }): Promise<SystemFacts[]> {
  let systemsQuery = db.selectFrom('ai_systems').select(['id', 'name', 'status', 'deployment_kind', 'accountable_owner_id']).orderBy('id');
  systemsQuery = systemId === undefined ? systemsQuery.where('status', '!=', 'retired') : systemsQuery.where('id', '=', systemId);
  const scope = systemId === undefined ? null : systemId;
  const [systems, phaseOwners, approved, roster, overdue, ledger] = await Promise.all([
    systemsQuery.execute(),
    db
      .selectFrom('system_phase_owners')
      .select(['system_id', 'phase', 'user_id'])
      .$if(scope !== null, (q) => q.where('system_id', '=', scope as string))
      .execute(),
    db
      .selectFrom('approval_requests')
      .select(['system_id', 'id'])
      .where('kind', '=', 'system_use')
      .where('status', '=', 'approved')
      .$if(scope !== null, (q) => q.where('system_id', '=', scope as string))
      .execute(),
    db
      .selectFrom('oversight_roster')
      .select(['system_id', 'user_id'])
      .$if(scope !== null, (q) => q.where('system_id', '=', scope as string))
      .execute(),
    db
      .selectFrom('exceptions')
      .select(['system_id', 'id', 'kind'])
      .where('status', 'in', [...OPEN_EXCEPTION])
      .where('due_at', '<', now.toISOString())
      .$if(scope !== null, (q) => q.where('system_id', '=', scope as string))
      .execute(),
    lastVerification(db),
  ]);
  if (systemId !== undefined && systems.length === 0)
    throw new AppError('not_found', `AI system ${systemId} does not exist`, { resource: 'ai_system', id: systemId });
  const phaseBySystem = group(phaseOwners, (r) => ({ type: 'phase_owner', id: `${r.phase}:${r.user_id}` }));
  const approvedBySystem = group(approved, (r) => ({ type: 'approval_request', id: r.id }));
  const rosterBySystem = group(roster, (r) => ({ type: 'oversight_roster', id: r.user_id }));
  const overdueBySystem = new Map<string, Array<RecordRef & { kind: string }>>();
  for (const r of overdue)
    overdueBySystem.set(r.system_id, [...(overdueBySystem.get(r.system_id) ?? []), { type: 'exception', id: r.id, kind: r.kind }]);
  const ledgerFact = ledger === null ? null : { ok: ledger.ok, verifiedAt: ledger.verifiedAt };
  // Mandatory reviews past due, by the reviews' own overdue rule (governance/review-schedule.ts).
  const overdueReviews = await db
    .selectFrom('reviews')
    .select(['reviews.system_id', 'reviews.id'])
    .where(reviewOverdue(now.toISOString()))
    .$if(scope !== null, (q) => q.where('reviews.system_id', '=', scope as string))
    .execute();
  const overdueReviewsBySystem = group(overdueReviews, (r) => ({ type: 'review', id: r.id }));
  return systems.map((s) => ({
    systemId: s.id,
    name: s.name,
    status: s.status,
    deploymentKind: s.deployment_kind,
    accountableOwnerId: s.accountable_owner_id,
    phaseOwners: phaseBySystem.get(s.id) ?? [],
    approvedUse: approvedBySystem.get(s.id) ?? [],
    rosterMembers: rosterBySystem.get(s.id) ?? [],
    overdueExceptions: overdueBySystem.get(s.id) ?? [],
    overdueReviews: overdueReviewsBySystem.get(s.id) ?? [],
    ledger: ledgerFact,
  }));
}

export interface SystemStatusView {
  systemId: string;
  name: string;
  status: ControlStatus;
  conditions: ConditionResult[];
  reasons: string[];
}

export interface ControlStatusView {
  controlId: string;
  title: string;
  status: ControlStatus;
  /** rule: evaluated on the records; crosswalk: derived from the linked ISO controls; manual: no record
   * shows it; excluded: the Statement of Applicability excludes it. */
  basis: 'rule' | 'crosswalk' | 'manual' | 'excluded';
  derivedFrom: string[];
  reason: string | null;
  counts: Record<ControlStatus, number>;
  systems: SystemStatusView[];
}

const emptyCounts = (): Record<ControlStatus, number> => ({ satisfied: 0, partly: 0, not_satisfied: 0, not_applicable: 0 });

function ruleStatus(control: Control, facts: SystemFacts[]): ControlStatusView {
  const systems = facts.map((f) => ({ systemId: f.systemId, name: f.name, ...evaluateForSystem(control.controlId, f) }));
  const counts = emptyCounts();
  for (const s of systems) counts[s.status] += 1;
  const status = combineStatuses(systems.map((s) => s.status));
  return {
    controlId: control.controlId,
    title: control.title,
    status,
    basis: 'rule',
    derivedFrom: [],
    reason: status === 'not_applicable' ? 'no AI system in scope to which the rule applies' : null,
    counts,
    systems,
  };
}

/** The status of every assessed control of a framework, for the organisation or one system. */
export async function loadControlStatus(
  db: Db,
  { framework, systemId, now = new Date() }: { framework: string; systemId?: string; now?: Date },
) {
  const id = requireStatusFramework(framework);
  const [facts, excluded] = await Promise.all([loadSystemFacts(db, { systemId, now }), excludedControls(db)]);
  return evaluateControls(id, facts, { systemId, now, excluded });
}

type Exclusions = Awaited<ReturnType<typeof excludedControls>>;

/** A control the Statement of Applicability excludes: not applicable, its justification the reason. */
const excludedStatus = (control: Control, soa: { justification: string; version: number }): ControlStatusView => ({
  controlId: control.controlId,
  title: control.title,
  status: 'not_applicable',
  basis: 'excluded',
  derivedFrom: [],
  reason: `excluded by the Statement of Applicability (version ${soa.version}): ${soa.justification}`,
  counts: emptyCounts(),
  systems: [],
});

function evaluateControls(
  id: FrameworkId,
  facts: SystemFacts[],
  { systemId, now, excluded }: { systemId?: string; now: Date; excluded: Exclusions },
) {
  const byRule = new Map<string, ControlStatusView>();
  for (const controlId of Object.keys(EVIDENCE_RULES)) {
    const control = controlsOf('iso42001').find((c) => c.controlId === controlId);
    const soa = excluded.get(controlId);
    if (control) byRule.set(controlId, soa ? excludedStatus(control, soa) : ruleStatus(control, facts));
  }
  const items = controlsOf(id)
    .filter((c) => ASSESSED_KINDS.has(c.kind) || byRule.has(c.controlId))
    .map((control): ControlStatusView => {
      const soa = excluded.get(control.controlId);
      if (soa) return excludedStatus(control, soa);
      const direct = byRule.get(control.controlId);
      if (direct) return direct;
      const linked = crosswalkOf(control.controlId)
        .map((link) => otherEnd(link, control.controlId))
        .filter((other) => byRule.has(other));
      if (linked.length === 0)
        return {
          controlId: control.controlId,
          title: control.title,
          status: 'not_applicable',
          basis: 'manual',
          derivedFrom: [],
          reason: 'no record shows this control: assess it manually',
          counts: emptyCounts(),
          systems: [],
        };
      const statuses = linked.map((other) => (byRule.get(other) as ControlStatusView).status);
      return {
        controlId: control.controlId,
        title: control.title,
        status: combineStatuses(statuses),
        basis: 'crosswalk',
        derivedFrom: linked,
        reason: null,
        counts: emptyCounts(),
        systems: [],
      };
    });
  const summary = emptyCounts();
  for (const item of items) summary[item.status] += 1;
  return { framework: id, systemId: systemId ?? null, evaluatedAt: now.toISOString(), summary, items };
}

/** Gap analysis: every condition that fails, on which system, who owns fixing it, where to act. */
export async function loadControlGaps(db: Db, options: { framework: string; systemId?: string; now?: Date }) {
  const now = options.now ?? new Date();
  const id = requireStatusFramework(options.framework);
  const [systemFacts, excluded] = await Promise.all([loadSystemFacts(db, { systemId: options.systemId, now }), excludedControls(db)]);
  const status = evaluateControls(id, systemFacts, { systemId: options.systemId, now, excluded });
  const facts = new Map(systemFacts.map((f) => [f.systemId, f]));
  // A control of another framework without a rule of its own takes its status from the ISO/IEC
  // 42001 controls it is linked to: each of their failing conditions is its gap too, once per
  // control, system and condition, naming every ISO control it comes through (`via`).
  const iso = id === 'iso42001' ? status : evaluateControls('iso42001', systemFacts, { systemId: options.systemId, now, excluded });
  const isoById = new Map(iso.items.map((item) => [item.controlId, item]));
  const gaps = new Map<
    string,
    {
      controlId: string;
      system: ControlStatusView['systems'][number];
      condition: { condition: string; reason: string | null };
      via: string[];
    }
  >();
  for (const control of status.items) {
    const sources = control.basis === 'crosswalk' ? control.derivedFrom.flatMap((other) => isoById.get(other) ?? []) : [control];
    for (const source of sources) {
      for (const system of source.systems) {
        for (const condition of system.conditions) {
          if (condition.holds !== false) continue;
          const key = JSON.stringify([control.controlId, system.systemId, condition.condition]);
          const known = gaps.get(key);
          if (known && source !== control) known.via.push(source.controlId);
          else if (!known)
            gaps.set(key, { controlId: control.controlId, system, condition, via: source === control ? [] : [source.controlId] });
        }
      }
    }
  }
  const items = [...gaps.values()].map(({ controlId, system, condition, via }) => ({
    controlId,
    systemId: system.systemId,
    systemName: system.name,
    condition: condition.condition,
    reason: condition.reason ?? '',
    ownerId: facts.get(system.systemId)?.accountableOwnerId ?? null,
    act: FIX_AT[condition.condition as keyof typeof FIX_AT](system.systemId),
    via,
  }));
  const names = await displayNames(
    db,
    items.map((i) => i.ownerId),
  );
  return {
    framework: status.framework,
    systemId: status.systemId,
    evaluatedAt: status.evaluatedAt,
    items: items.map((i) => withNames(i, ['ownerId'], names)),
  };
}

type StatusView = Awaited<ReturnType<typeof evaluateAndTrack>>;

/** A cached evaluation, and its JSON text (without evaluatedAt) once the API has asked for it. */
interface Evaluated {
  view: StatusView;
  /** UTF-8, without its opening brace: each answer is its own evaluatedAt followed by these bytes. */
  json?: Buffer;
}

/** Served from controls.cache.ts while no fact it reads has changed (no ledger event, no new
 * verification, no exception fallen due): then nothing changed, nothing is recorded and every
 * since stands. */
async function evaluated(store: Store, options: { framework: string; systemId?: string; now: Date }): Promise<Evaluated> {
  const framework = requireStatusFramework(options.framework);
  const key = `${framework}\u0000${options.systemId ?? ''}`;
  return cachedEvaluation(store.db, { key, now: options.now, systemId: options.systemId }, async () => ({
    view: await evaluateAndTrack(store, options),
  }));
}

/** The status as the CLI shows it: evaluated, each change recorded, and since when each status has
 * held (for the scope asked: the organisation, or the one system). */
export async function evaluateControlStatus(store: Store, options: { framework: string; systemId?: string; now?: Date }) {
  const now = options.now ?? new Date();
  const { view } = await evaluated(store, { ...options, now });
  return { ...view, evaluatedAt: now.toISOString() };
}

/** The same status as the API's JSON (UTF-8 bytes). The organisation's is some 4 MB for 1,000
 * systems: serialised and encoded once per evaluation, not once per request (serialising alone
 * took longer than the 200 ms the issue allows); only evaluatedAt, written first, is new in each. */
export async function controlStatusJson(store: Store, options: { framework: string; systemId?: string; now?: Date }) {
  const now = options.now ?? new Date();
  const entry = await evaluated(store, { ...options, now });
  entry.json ??= Buffer.from(JSON.stringify({ ...entry.view, evaluatedAt: undefined }).slice(1));
  return Buffer.concat([Buffer.from(`{"evaluatedAt":${JSON.stringify(now.toISOString())},`), entry.json]);
}

/** The full evaluation, without the cache: what a cached status must equal (controls.test.ts). */
export async function evaluateAndTrack(store: Store, options: { framework: string; systemId?: string; now: Date }) {
  const { now } = options;
  const report = await loadControlStatus(store.db, { ...options, now });
  const scope = options.systemId ?? '';
  const computed: ComputedStatus[] = report.items.flatMap((item) => [
    { controlId: item.controlId, scope, status: item.status },
    ...(options.systemId === undefined
      ? item.systems.map((s) => ({ controlId: item.controlId, scope: s.systemId, status: s.status }))
      : []),
  ]);
  const since = await trackStatusChanges(store, computed, now);
  return {
    ...report,
    items: report.items.map((item) => ({
      ...item,
      since: sinceOf(since, item.controlId, scope),
      systems: item.systems.map((s) => ({
        ...s,
        since: sinceOf(since, item.controlId, options.systemId === undefined ? s.systemId : scope),
      })),
    })),
  };
}
