// Which regulatory reports an incident needs and by when (EU AI Act Art. 73, GDPR Art. 33, DORA
// Art. 19 with Delegated Regulation 2025/301 Art. 5). Pure: facts in, deadlines out; the
// articles each rule rests on are in incident-rules.json.
import rules from './incident-rules.json' with { type: 'json' };

export const HARM_CATEGORIES = [
  'health_safety',
  'fundamental_rights',
  'property_environment',
  'critical_infrastructure',
  'personal_data_breach',
  'ict_major',
  'death',
] as const;
export type HarmCategory = (typeof HARM_CATEGORIES)[number];

export type DeadlineKey = 'ai_act_art73' | 'gdpr_art33' | 'dora_initial' | 'dora_intermediate' | 'dora_final';
export const DEADLINE_KEYS: readonly DeadlineKey[] = ['ai_act_art73', 'gdpr_art33', 'dora_initial', 'dora_intermediate', 'dora_final'];

/** Harm of the kinds Art. 3(49) calls a serious incident. */
const AI_ACT_HARMS: readonly HarmCategory[] = ['health_safety', 'fundamental_rights', 'property_environment', 'critical_infrastructure', 'death'];

export interface IncidentFacts {
  awareAt: string;
  harmCategories: readonly HarmCategory[];
  widespreadInfringement: boolean;
  criticalInfrastructureDisruption: boolean;
  death: boolean;
  personalDataBreach: boolean;
  doraMajor: boolean;
  /** When the ICT incident was classified as major (DORA). */
  doraClassifiedAt: string | null;
  /** When the first initial notification was submitted, if it was. */
  doraInitialFiledAt?: string | null;
  /** When the latest intermediate report was submitted, if one was. */
  doraLastIntermediateFiledAt?: string | null;
}

export interface Deadline {
  key: DeadlineKey;
  regime: 'eu_ai_act' | 'gdpr' | 'dora';
  title: string;
  dueAt: string;
  /** Why this date, in one sentence. */
  basis: string;
  /** Rule keys in incident-rules.json this deadline rests on. */
  rules: string[];
  /** Articles cited. */
  articles: string[];
  /** True when the date depends on a step not yet taken (classification, an earlier report). */
  provisional: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Rule = (typeof rules.rules)[number];
const RULES: ReadonlyMap<string, Rule> = new Map(rules.rules.map((r) => [r.key, r]));
export const RULE_KEYS = [...RULES.keys()];

const at = (ms: number) => new Date(ms).toISOString();
const ms = (iso: string) => Date.parse(iso);

/** One calendar month later (UTC); the last day of the month when that day does not exist. */
export function addOneMonth(iso: string): string {
  const d = new Date(iso);
  const target = new Date(d.getTime());
  target.setUTCDate(1);
  target.setUTCMonth(d.getUTCMonth() + 1);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.toISOString();
}

function deadline(key: DeadlineKey, ruleKeys: string[], dueMs: number, basis: string, provisional = false): Deadline {
  const cited = ruleKeys.map((k) => RULES.get(k)).filter((r): r is Rule => r !== undefined);
  return {
    key,
    regime: cited[0].regime as Deadline['regime'],
    title: cited[cited.length - 1].title,
    dueAt: at(dueMs),
    basis,
    rules: ruleKeys,
    articles: cited.flatMap((r) => r.articles),
    provisional,
  };
}

function aiActDeadline(f: IncidentFacts): Deadline | null {
  const has = (c: HarmCategory) => f.harmCategories.includes(c);
  const death = f.death || has('death');
  const infrastructure = f.criticalInfrastructureDisruption || has('critical_infrastructure');
  const serious = f.widespreadInfringement || death || infrastructure || f.harmCategories.some((c) => AI_ACT_HARMS.includes(c));
  if (!serious) return null;
  const aware = ms(f.awareAt);
  // The shortest clock that applies wins.
  if (f.widespreadInfringement || infrastructure) {
    const why = f.widespreadInfringement ? 'widespread infringement' : 'serious disruption of critical infrastructure';
    return deadline('ai_act_art73', ['ai_act_art73', 'ai_act_art73_3'], aware + 2 * DAY, `2 days after awareness: ${why}`);
  }
  if (death) return deadline('ai_act_art73', ['ai_act_art73', 'ai_act_art73_4'], aware + 10 * DAY, '10 days after awareness: a death');
  return deadline('ai_act_art73', ['ai_act_art73'], aware + 15 * DAY, '15 days after awareness: serious incident');
}

function gdprDeadline(f: IncidentFacts): Deadline | null {
  if (!f.personalDataBreach && !f.harmCategories.includes('personal_data_breach')) return null;
  return deadline('gdpr_art33', ['gdpr_art33'], ms(f.awareAt) + 72 * HOUR, '72 hours after awareness of a personal data breach');
}

function doraDeadlines(f: IncidentFacts): Deadline[] {
  if (!f.doraMajor && !f.harmCategories.includes('ict_major')) return [];
  const aware = ms(f.awareAt);
  let initialDue: number;
  let basis: string;
  if (f.doraClassifiedAt === null) {
    initialDue = aware + 24 * HOUR;
    basis = 'at most 24 hours after awareness; not yet classified, so 4 hours after classification may come earlier';
  } else {
    const classified = ms(f.doraClassifiedAt);
    const cap = aware + 24 * HOUR;
    // Classified within the first 24 h: the earlier of the two; classified later: 4 h after classification.
    initialDue = classified <= cap ? Math.min(classified + 4 * HOUR, cap) : classified + 4 * HOUR;
    basis =
      initialDue === cap ? 'at most 24 hours after awareness (earlier than 4 hours after classification)' : '4 hours after classification as major';
  }
  const initial = deadline('dora_initial', ['dora_initial'], initialDue, basis, f.doraClassifiedAt === null);
  const initialFiled = f.doraInitialFiledAt ? ms(f.doraInitialFiledAt) : null;
  const intermediateDue = (initialFiled ?? initialDue) + 72 * HOUR;
  const intermediate = deadline(
    'dora_intermediate',
    ['dora_intermediate'],
    intermediateDue,
    initialFiled !== null ? '72 hours after the initial notification was submitted' : '72 hours after the initial notification (not yet submitted)',
    initialFiled === null,
  );
  const lastIntermediate = f.doraLastIntermediateFiledAt ?? null;
  const finalDue = ms(addOneMonth(lastIntermediate ?? at(intermediateDue)));
  const final = deadline(
    'dora_final',
    ['dora_final'],
    finalDue,
    lastIntermediate !== null ? '1 month after the latest intermediate report' : '1 month after the intermediate report (not yet submitted)',
    lastIntermediate === null,
  );
  return [initial, intermediate, final];
}

/** Every reporting deadline that applies to these facts, earliest first. */
export function computeIncidentDeadlines(facts: IncidentFacts): Deadline[] {
  const list = [aiActDeadline(facts), gdprDeadline(facts), ...doraDeadlines(facts)].filter((d): d is Deadline => d !== null);
  return list.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.key.localeCompare(b.key));
}

/** A report is on time when filed at or before its deadline. */
export function isOnTime(filedAt: string, dueAt: string): boolean {
  return ms(filedAt) <= ms(dueAt);
}
