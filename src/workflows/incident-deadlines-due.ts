// The next reporting deadline of every open incident, for the dashboard: the incidents' own rule
// (modules/exceptions/incident-deadlines.ts, pure) applied to all open incidents read in two
// queries, so the dashboard neither imports the exceptions feature nor asks once per incident.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { OPEN_STATUSES } from '../modules/exceptions/exceptions.policy.js';
import { computeIncidentDeadlines, type DeadlineKey, type HarmCategory } from '../modules/exceptions/incident-deadlines.js';

export interface IncidentDeadlineDue {
  exceptionId: string;
  systemId: string;
  title: string;
  severity: string;
  deadlineKey: DeadlineKey;
  deadlineTitle: string;
  dueAt: string;
  overdue: boolean;
  provisional: boolean;
}

/** Open incidents with an unfiled deadline, soonest first; and how many have one overdue. */
export async function nextIncidentDeadlines(db: Kysely<Database>, now: Date): Promise<{ items: IncidentDeadlineDue[]; overdue: number }> {
  const incidents = await db
    .selectFrom('exceptions')
    .innerJoin('incidents', 'incidents.exception_id', 'exceptions.id')
    .select([
      'exceptions.id',
      'exceptions.system_id',
      'exceptions.title',
      'exceptions.severity',
      'incidents.harm_categories',
      'incidents.aware_at',
      'incidents.widespread_infringement',
      'incidents.critical_infrastructure_disruption',
      'incidents.death',
      'incidents.personal_data_breach',
      'incidents.dora_major',
      'incidents.dora_classified_at',
    ])
    .where('exceptions.kind', '=', 'incident')
    .where('exceptions.status', 'in', [...OPEN_STATUSES])
    .execute();
  if (incidents.length === 0) return { items: [], overdue: 0 };
  const reports = await db
    .selectFrom('incident_reports')
    .innerJoin('exceptions', 'exceptions.id', 'incident_reports.exception_id')
    .select(['incident_reports.exception_id', 'incident_reports.deadline_key', 'incident_reports.filed_at'])
    .where('exceptions.kind', '=', 'incident')
    .where('exceptions.status', 'in', [...OPEN_STATUSES])
    .orderBy('incident_reports.filed_at')
    .execute();
  const filedBy = new Map<string, Array<{ key: string; at: string }>>();
  for (const r of reports) {
    const list = filedBy.get(r.exception_id) ?? [];
    list.push({ key: r.deadline_key, at: r.filed_at });
    filedBy.set(r.exception_id, list);
  }
  const nowIso = now.toISOString();
  const items: IncidentDeadlineDue[] = [];
  for (const incident of incidents) {
    const filed = filedBy.get(incident.id) ?? [];
    const filedAt = (key: DeadlineKey) => filed.filter((f) => f.key === key).map((f) => f.at);
    const deadlines = computeIncidentDeadlines({
      awareAt: incident.aware_at,
      harmCategories: JSON.parse(incident.harm_categories) as HarmCategory[],
      widespreadInfringement: incident.widespread_infringement === 1,
      criticalInfrastructureDisruption: incident.critical_infrastructure_disruption === 1,
      death: incident.death === 1,
      personalDataBreach: incident.personal_data_breach === 1,
      doraMajor: incident.dora_major === 1,
      doraClassifiedAt: incident.dora_classified_at,
      doraInitialFiledAt: filedAt('dora_initial')[0] ?? null,
      doraLastIntermediateFiledAt: filedAt('dora_intermediate').at(-1) ?? null,
    });
    // The next deadline is the earliest one no report answers yet.
    const next = deadlines.find((d) => filedAt(d.key).length === 0);
    if (!next) continue;
    items.push({
      exceptionId: incident.id,
      systemId: incident.system_id,
      title: incident.title,
      severity: incident.severity,
      deadlineKey: next.key,
      deadlineTitle: next.title,
      dueAt: next.dueAt,
      overdue: next.dueAt < nowIso,
      provisional: next.provisional,
    });
  }
  items.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.exceptionId.localeCompare(b.exceptionId));
  return { items, overdue: items.filter((i) => i.overdue).length };
}
