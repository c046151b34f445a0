// Live control status: the evidence rules of the ISO/IEC 42001 controls that records can show, as
// data, and the small pure evaluators that turn one system's facts into a status. What loads the
// facts is controls.service.ts; nothing here touches the database.

export const CONTROL_STATUSES = ['satisfied', 'partly', 'not_satisfied', 'not_applicable'] as const;

/** The exceptions lifecycle's open statuses (modules/exceptions/exceptions.policy.ts says the same). */
export const OPEN_EXCEPTION = ['open', 'triaged', 'investigating', 'remediating', 'verifying'] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

export interface RecordRef {
  type: string;
  id: string;
}

/** What the records say about one AI system, read once for every rule. */
export interface SystemFacts {
  systemId: string;
  name: string;
  status: string;
  deploymentKind: string;
  accountableOwnerId: string | null;
  phaseOwners: RecordRef[];
  /** system_use requests approved through their chain. */
  approvedUse: RecordRef[];
  rosterMembers: RecordRef[];
  /** Exceptions (any kind) open past their due date. */
  overdueExceptions: Array<RecordRef & { kind: string }>;
  /** Reviews past due; null while reviews are not recorded (the seam for src/modules/reviews/). */
  overdueReviews: RecordRef[] | null;
  /** The last ledger verification: null when the ledger has never been verified. */
  ledger: { ok: boolean; verifiedAt: string } | null;
}

/** One condition: holds (with the records that prove it), fails (with the reason), or cannot be told (null). */
export interface ConditionResult {
  condition: string;
  holds: boolean | null;
  records: RecordRef[];
  reason: string | null;
}

interface Condition {
  id: string;
  says: string;
  check: (facts: SystemFacts) => ConditionResult;
}

const result = (id: string, holds: boolean | null, records: RecordRef[], reason: string | null): ConditionResult => ({
  condition: id,
  holds,
  records,
  reason: holds === true ? null : reason,
});

/** The conditions, by id: each reads the facts and nothing else. */
export const CONDITIONS: Record<string, Condition> = {
  accountable_owner: {
    id: 'accountable_owner',
    says: 'the system has an accountable owner',
    check: (f) =>
      result(
        'accountable_owner',
        f.accountableOwnerId !== null,
        f.accountableOwnerId === null ? [] : [{ type: 'user', id: f.accountableOwnerId }],
        'the system has no accountable owner',
      ),
  },
  phase_owners: {
    id: 'phase_owners',
    says: 'at least one lifecycle phase has an owner',
    check: (f) => result('phase_owners', f.phaseOwners.length > 0, f.phaseOwners, 'no lifecycle phase of the system has an owner'),
  },
  use_approved: {
    id: 'use_approved',
    says: 'its use was approved through its chain (a system_use request approved)',
    check: (f) => result('use_approved', f.approvedUse.length > 0, f.approvedUse, 'no system_use request for the system was approved'),
  },
  roster_staffed: {
    id: 'roster_staffed',
    says: 'its human-oversight roster is staffed',
    check: (f) => result('roster_staffed', f.rosterMembers.length > 0, f.rosterMembers, 'the oversight roster of the system is empty'),
  },
  no_overdue_exception: {
    id: 'no_overdue_exception',
    says: 'no exception on it is open past its due date',
    check: (f) =>
      result(
        'no_overdue_exception',
        f.overdueExceptions.length === 0,
        f.overdueExceptions.map(({ type, id }) => ({ type, id })),
        `${f.overdueExceptions.length} exception(s) open past their due date`,
      ),
  },
  no_overdue_incident: {
    id: 'no_overdue_incident',
    says: 'no incident on it is open past its due date',
    check: (f) => {
      const overdue = f.overdueExceptions.filter((e) => e.kind === 'incident');
      return result(
        'no_overdue_incident',
        overdue.length === 0,
        overdue.map(({ type, id }) => ({ type, id })),
        `${overdue.length} incident(s) open past their due date`,
      );
    },
  },
  reviews_not_overdue: {
    id: 'reviews_not_overdue',
    says: 'its mandatory reviews are not overdue',
    check: (f) =>
      f.overdueReviews === null
        ? result('reviews_not_overdue', null, [], 'reviews are not recorded yet: this condition cannot be evaluated')
        : result(
            'reviews_not_overdue',
            f.overdueReviews.length === 0,
            f.overdueReviews,
            `${f.overdueReviews.length} mandatory review(s) overdue`,
          ),
  },
  // Read from the last recorded verification (ledger_verifications: a full check of every leaf and
  // checkpoint, run through the API or the CLI), never by re-hashing the ledger on a status read.
  ledger_verifies: {
    id: 'ledger_verifies',
    says: "the ledger verified at its last check (the verifier's recorded result; a status read re-hashes nothing)",
    check: (f) =>
      f.ledger === null
        ? result(
            'ledger_verifies',
            false,
            [],
            'the ledger has never been verified: the status reads the last verification, it does not re-hash the ledger',
          )
        : result(
            'ledger_verifies',
            f.ledger.ok,
            [{ type: 'ledger_verification', id: f.ledger.verifiedAt }],
            `the last verification of the ledger (${f.ledger.verifiedAt}) failed`,
          ),
  },
  vendor_owned: {
    id: 'vendor_owned',
    says: 'a third-party system has an accountable owner on our side',
    check: (f) =>
      f.deploymentKind !== 'third_party'
        ? result('vendor_owned', null, [], 'not a third-party system')
        : result(
            'vendor_owned',
            f.accountableOwnerId !== null,
            f.accountableOwnerId === null ? [] : [{ type: 'user', id: f.accountableOwnerId }],
            'the third-party system has no accountable owner',
          ),
  },
};

/** Where to act on a failed condition: the API path a fix starts from. */
export const FIX_AT: Record<string, (systemId: string) => string> = {
  accountable_owner: (id) => `/api/v1/systems/${id}`,
  phase_owners: (id) => `/api/v1/systems/${id}`,
  use_approved: () => '/api/v1/approvals/requests',
  roster_staffed: (id) => `/api/v1/systems/${id}/oversight/roster`,
  no_overdue_exception: (id) => `/api/v1/exceptions?systemId=${id}&overdue=true`,
  no_overdue_incident: (id) => `/api/v1/incidents?systemId=${id}`,
  reviews_not_overdue: (id) => `/api/v1/systems/${id}`,
  ledger_verifies: () => '/api/v1/ledger/verify',
  vendor_owned: (id) => `/api/v1/systems/${id}`,
};

/** The evidence rules: which conditions must hold for each ISO/IEC 42001 control records can show. */
export const EVIDENCE_RULES: Record<string, readonly string[]> = {
  'iso42001:A.3.2': ['accountable_owner', 'phase_owners'],
  'iso42001:A.4.6': ['roster_staffed'],
  'iso42001:A.6.2.5': ['use_approved'],
  'iso42001:A.6.2.6': ['roster_staffed', 'no_overdue_exception', 'reviews_not_overdue'],
  'iso42001:A.6.2.8': ['ledger_verifies'],
  'iso42001:A.8.4': ['no_overdue_incident'],
  'iso42001:A.9.2': [
    'accountable_owner',
    'phase_owners',
    'use_approved',
    'roster_staffed',
    'reviews_not_overdue',
    'no_overdue_exception',
    'ledger_verifies',
  ],
  'iso42001:A.9.4': ['use_approved'],
  'iso42001:A.10.2': ['vendor_owned'],
  'iso42001:7.5.3': ['ledger_verifies'],
};

export interface SystemControlResult {
  status: ControlStatus;
  conditions: ConditionResult[];
  reasons: string[];
}

/** A control's status for one system: all conditions hold -> satisfied; none -> not satisfied;
 * some -> partly. A condition that cannot be told is shown and does not count; when none can be
 * told, the control is not applicable to the system. */
export function evaluateForSystem(controlId: string, facts: SystemFacts): SystemControlResult {
  const conditions = (EVIDENCE_RULES[controlId] ?? []).map((id) => CONDITIONS[id].check(facts));
  const told = conditions.filter((c) => c.holds !== null);
  const holding = told.filter((c) => c.holds).length;
  const status: ControlStatus =
    told.length === 0 ? 'not_applicable' : holding === told.length ? 'satisfied' : holding === 0 ? 'not_satisfied' : 'partly';
  return { status, conditions, reasons: conditions.flatMap((c) => (c.holds === false && c.reason ? [c.reason] : [])) };
}

/** Several statuses into one (systems into the organisation, crosswalked controls into one):
 * not-applicable ones do not count; all satisfied -> satisfied; all not satisfied -> not satisfied. */
export function combineStatuses(statuses: ControlStatus[]): ControlStatus {
  const counted = statuses.filter((s) => s !== 'not_applicable');
  if (counted.length === 0) return 'not_applicable';
  if (counted.every((s) => s === 'satisfied')) return 'satisfied';
  if (counted.every((s) => s === 'not_satisfied')) return 'not_satisfied';
  return 'partly';
}
