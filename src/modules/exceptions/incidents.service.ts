// Incidents (EU AI Act Art. 73, GDPR Art. 33, DORA Art. 19): an exception of kind incident with
// harm categories and flags, the reporting deadlines they trigger, and each report filed against
// its deadline (on time or late) as a ledger event.
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';
import { dueAtFor } from './exceptions.policy.js';
import { findException, loadExceptionDetail } from './exceptions.repository.js';
import { type NewException, openException, requireManager, requireVersion } from './exceptions.service.js';
import {
  computeIncidentDeadlines,
  type Deadline,
  type DeadlineKey,
  type HarmCategory,
  type IncidentFacts,
  isOnTime,
} from './incident-deadlines.js';

export interface IncidentDetails {
  harmCategories?: HarmCategory[];
  awareAt?: string;
  widespreadInfringement?: boolean;
  criticalInfrastructureDisruption?: boolean;
  death?: boolean;
  personalDataBreach?: boolean;
  doraMajor?: boolean;
  doraClassifiedAt?: string | null;
}

function isoOrThrow(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AppError('validation_failed', `${field}: must be an ISO 8601 time`, { field });
  const iso = new Date(ms).toISOString();
  if (iso > new Date().toISOString()) throw new AppError('validation_failed', `${field}: cannot be in the future`, { field });
  return iso;
}

const bit = (value: boolean | undefined, current: number) => (value === undefined ? current : value ? 1 : 0);

async function writeDetails(trx: Tx, exceptionId: string, details: IncidentDetails) {
  const current = await trx.selectFrom('incidents').selectAll().where('exception_id', '=', exceptionId).executeTakeFirstOrThrow();
  const next = {
    harm_categories: details.harmCategories ? JSON.stringify([...new Set(details.harmCategories)].sort()) : current.harm_categories,
    aware_at: details.awareAt ? isoOrThrow(details.awareAt, 'awareAt') : current.aware_at,
    widespread_infringement: bit(details.widespreadInfringement, current.widespread_infringement),
    critical_infrastructure_disruption: bit(details.criticalInfrastructureDisruption, current.critical_infrastructure_disruption),
    death: bit(details.death, current.death),
    personal_data_breach: bit(details.personalDataBreach, current.personal_data_breach),
    dora_major: bit(details.doraMajor, current.dora_major),
    dora_classified_at:
      details.doraClassifiedAt === undefined
        ? current.dora_classified_at
        : details.doraClassifiedAt === null
          ? null
          : isoOrThrow(details.doraClassifiedAt, 'doraClassifiedAt'),
    updated_at: new Date().toISOString(),
  };
  if (next.dora_classified_at !== null && next.dora_classified_at < next.aware_at) {
    throw new AppError('validation_failed', 'doraClassifiedAt: classification cannot precede awareness', { field: 'doraClassifiedAt' });
  }
  await trx.updateTable('incidents').set(next).where('exception_id', '=', exceptionId).execute();
  return { before: current, after: { ...current, ...next } };
}

/** Opens an exception of kind incident and records its harm and flags, in one transaction. */
export async function openIncident(
  trx: Tx,
  { ctx, input }: { ctx: RequestContext; input: Omit<NewException, 'kind'> & { incident: IncidentDetails } },
) {
  const { incident, ...exception } = input;
  const awareAt = incident.awareAt ? isoOrThrow(incident.awareAt, 'awareAt') : undefined;
  const opened = await openException(trx, { ctx, input: { ...exception, kind: 'incident' }, awareAt });
  const { after } = await writeDetails(trx, opened.id, incident);
  await appendEvent(trx, ctx, {
    type: 'incident.classified',
    subject: { type: 'exception', id: opened.id, version: opened.version },
    after,
    data: { systemId: opened.systemId },
  });
  return incidentView(trx, opened.id);
}

export async function updateIncident(
  trx: Tx,
  {
    ctx,
    input,
  }: {
    ctx: RequestContext;
    input: IncidentDetails & { exceptionId: string; reason: string; expectedVersion?: number };
  },
) {
  const row = await requireIncident(trx, input.exceptionId);
  requireManager(ctx, row);
  requireVersion(row, input.expectedVersion);
  const reason = requireRationale(input.reason, { field: 'reason', minimum: ctx.policies.minRationaleLength });
  const { before, after } = await writeDetails(trx, row.id, input);
  const version = Number(row.version) + 1;
  // The due date counts from awareness (as when opened): a corrected awareAt moves it.
  const dueAt = after.aware_at === before.aware_at ? row.due_at : dueAtFor(row.severity, after.aware_at);
  await trx.updateTable('exceptions').set({ version, due_at: dueAt, updated_at: after.updated_at }).where('id', '=', row.id).execute();
  await appendEvent(trx, ctx, {
    type: 'incident.classified',
    subject: { type: 'exception', id: row.id, version },
    before,
    after,
    reason,
    data: { systemId: row.system_id, ...(dueAt === row.due_at ? {} : { dueAt: { before: row.due_at, after: dueAt } }) },
  });
  return incidentView(trx, row.id);
}

async function requireIncident(trx: Tx, id: string) {
  const row = await findException(trx, id);
  if (row.kind !== 'incident') throw new AppError('not_found', `exception ${id} is not an incident`, { resource: 'incident', id });
  return row;
}

async function factsOf(trx: Tx, exceptionId: string): Promise<IncidentFacts> {
  const row = await trx.selectFrom('incidents').selectAll().where('exception_id', '=', exceptionId).executeTakeFirstOrThrow();
  const reports = await trx
    .selectFrom('incident_reports')
    .select(['deadline_key', 'filed_at'])
    .where('exception_id', '=', exceptionId)
    .orderBy('filed_at')
    .execute();
  const filed = (key: DeadlineKey) => reports.filter((r) => r.deadline_key === key).map((r) => r.filed_at);
  return {
    awareAt: row.aware_at,
    harmCategories: JSON.parse(row.harm_categories) as HarmCategory[],
    widespreadInfringement: row.widespread_infringement === 1,
    criticalInfrastructureDisruption: row.critical_infrastructure_disruption === 1,
    death: row.death === 1,
    personalDataBreach: row.personal_data_breach === 1,
    doraMajor: row.dora_major === 1,
    doraClassifiedAt: row.dora_classified_at,
    doraInitialFiledAt: filed('dora_initial')[0] ?? null,
    doraLastIntermediateFiledAt: filed('dora_intermediate').at(-1) ?? null,
  };
}

export type DeadlineStatus = 'due' | 'overdue' | 'filed_on_time' | 'filed_late';

/** What is due when: each applicable deadline with the reports filed against it. */
export async function incidentDeadlines(trx: Tx, exceptionId: string, now = new Date()) {
  await requireIncident(trx, exceptionId);
  const facts = await factsOf(trx, exceptionId);
  const reports = await trx
    .selectFrom('incident_reports')
    .selectAll()
    .where('exception_id', '=', exceptionId)
    .orderBy('filed_at')
    .orderBy('id')
    .execute();
  return computeIncidentDeadlines(facts).map((d: Deadline) => {
    const filed = reports.filter((r) => r.deadline_key === d.key);
    const first = filed[0];
    let status: DeadlineStatus;
    if (first) status = first.on_time === 1 ? 'filed_on_time' : 'filed_late';
    else status = d.dueAt < now.toISOString() ? 'overdue' : 'due';
    return {
      ...d,
      status,
      reports: filed.map((r) => ({
        id: r.id,
        filedAt: r.filed_at,
        reference: r.reference,
        onTime: r.on_time === 1,
        dueAt: r.due_at,
        note: r.note,
      })),
    };
  });
}

export async function incidentView(trx: Tx, exceptionId: string, now = new Date()) {
  await requireIncident(trx, exceptionId);
  const detail = await loadExceptionDetail(trx, exceptionId, now);
  const facts = await factsOf(trx, exceptionId);
  return {
    ...detail,
    incident: {
      harmCategories: [...facts.harmCategories],
      awareAt: facts.awareAt,
      widespreadInfringement: facts.widespreadInfringement,
      criticalInfrastructureDisruption: facts.criticalInfrastructureDisruption,
      death: facts.death,
      personalDataBreach: facts.personalDataBreach,
      doraMajor: facts.doraMajor,
      doraClassifiedAt: facts.doraClassifiedAt,
    },
    deadlines: await incidentDeadlines(trx, exceptionId, now),
  };
}

export interface FiledReport {
  exceptionId: string;
  deadlineKey: DeadlineKey;
  filedAt?: string;
  reference: string;
  note?: string;
}

/** Records a report to an authority against the deadline it answers; late filings are flagged. */
export async function fileIncidentReport(trx: Tx, { ctx, input }: { ctx: RequestContext; input: FiledReport }) {
  const row = await requireIncident(trx, input.exceptionId);
  requireManager(ctx, row);
  const reference = input.reference.trim();
  if (reference === '')
    throw new AppError('validation_failed', 'reference: the authority’s or our own reference is required', { field: 'reference' });
  const filedAt = input.filedAt ? isoOrThrow(input.filedAt, 'filedAt') : new Date().toISOString();
  const deadline = computeIncidentDeadlines(await factsOf(trx, row.id)).find((d) => d.key === input.deadlineKey);
  if (!deadline) {
    throw new AppError('validation_failed', `deadlineKey: ${input.deadlineKey} does not apply to this incident`, { field: 'deadlineKey' });
  }
  const onTime = isOnTime(filedAt, deadline.dueAt);
  const report = {
    id: randomUUID(),
    exception_id: row.id,
    deadline_key: input.deadlineKey,
    due_at: deadline.dueAt,
    filed_at: filedAt,
    reference,
    on_time: onTime ? 1 : 0,
    note: input.note?.trim() ?? '',
    created_at: new Date().toISOString(),
    created_by: ctx.actor.userId,
  };
  await trx.insertInto('incident_reports').values(report).execute();
  await appendEvent(trx, ctx, {
    type: onTime ? 'incident.report_filed' : 'incident.report_filed_late',
    subject: { type: 'exception', id: row.id },
    after: { deadlineKey: input.deadlineKey, dueAt: deadline.dueAt, filedAt, reference, onTime },
    data: { systemId: row.system_id, reportId: report.id, articles: deadline.articles },
  });
  return { id: report.id, deadlineKey: input.deadlineKey, dueAt: deadline.dueAt, filedAt, reference, onTime, note: report.note };
}
