// The Statement of Applicability (ISO/IEC 42001 clause 6.1.3): every Annex A control, applicable or
// excluded, each with its justification, versioned. This file reads it and holds the rules of a
// `soa_change` request's content; only an approved request writes a version (soa-versions.ts).
// Version 0 is the default before any approval: every control applicable, "not yet reviewed".
import type { Kysely } from 'kysely';
import { type Actor, hasRole, type Role, type Signer } from '../context.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import { type Control, controlsOf } from '../frameworks/catalog.js';
import { requireRationale } from '../rationale.js';

type Db = Kysely<Database>;

/** The subject id of every `soa_change` request: the organisation has one SoA, against ISO/IEC 42001. */
export const SOA_SUBJECT_ID = 'iso42001';
export const DEFAULT_JUSTIFICATION = 'default: not yet reviewed';
/** Who may ask for a change of the SoA (the approvers are the `soa_change` policy's). */
export const SOA_REQUESTER_ROLES: readonly Role[] = ['governance_lead', 'admin'];

const ANNEX_A: readonly Control[] = controlsOf('iso42001').filter((c) => c.kind === 'control');
const ANNEX_A_BY_ID = new Map(ANNEX_A.map((c) => [c.controlId, c]));

/** The Annex A controls the SoA covers, in catalog order. */
export const annexAControls = (): readonly Control[] => ANNEX_A;

/** One entry as a `soa_change` request asks for it. */
export interface SoaEntryInput {
  controlId: string;
  applicable: boolean;
  justification: string;
}

/** One entry as stored in a version: what it says and the version that last changed it. */
export interface StoredSoaEntry {
  applicable: boolean;
  justification: string;
  version: number;
}

export interface SoaApproval {
  version: number;
  approvalRequestId: string;
  approvedAt: string;
  approvedBy: Signer[];
}

export interface SoaEntryView {
  controlId: string;
  title: string;
  applicable: boolean;
  justification: string;
  /** The SoA version that last changed this entry (0: the unreviewed default). */
  version: number;
  /** False while the entry is still the default nobody approved. */
  approved: boolean;
  approvalRequestId: string | null;
  approvedAt: string | null;
  approvedBy: Signer[];
}

export interface SoaView {
  version: number;
  approved: boolean;
  approvalRequestId: string | null;
  approvedAt: string | null;
  approvedBy: Signer[];
  entries: SoaEntryView[];
}

export function assertMayRequestSoaChange(actor: Actor): void {
  if (!hasRole(actor, ...SOA_REQUESTER_ROLES))
    throw new AppError('forbidden', `a change of the Statement of Applicability is requested by a ${SOA_REQUESTER_ROLES.join(' or ')}`, {
      roles: SOA_REQUESTER_ROLES,
    });
}

/** A control id as the SoA names it: canonical (`iso42001:A.2.2`); a bare Annex A id (`A.2.2`) is accepted. */
const canonical = (id: string) => (id.includes(':') ? id : `${SOA_SUBJECT_ID}:${id}`);

/** The entries a `soa_change` asks for, checked: at least one, each an Annex A control of the
 * catalog, named once, with a justification of at least the rationale minimum (applicable or not:
 * clause 6.1.3 asks why a control is included as much as why it is excluded). */
export function validateSoaEntries(entries: readonly SoaEntryInput[] | undefined, minimum?: number): SoaEntryInput[] {
  if (!entries || entries.length === 0)
    throw new AppError('validation_failed', 'change.soaEntries: name at least one Annex A control and what it becomes', {
      field: 'change.soaEntries',
    });
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const field = `change.soaEntries.${i}`;
    const controlId = canonical(String(entry.controlId ?? '').trim());
    if (!ANNEX_A_BY_ID.has(controlId))
      throw new AppError('validation_failed', `${field}.controlId: ${entry.controlId} is not an Annex A control of ISO/IEC 42001`, {
        field: `${field}.controlId`,
        controlId: entry.controlId,
      });
    if (seen.has(controlId))
      throw new AppError('validation_failed', `${field}.controlId: ${controlId} is named twice`, { field: `${field}.controlId` });
    seen.add(controlId);
    if (typeof entry.applicable !== 'boolean')
      throw new AppError('validation_failed', `${field}.applicable: true or false`, { field: `${field}.applicable` });
    const justification = requireRationale(entry.justification, { field: `${field}.justification`, minimum });
    return { controlId, applicable: entry.applicable, justification };
  });
}

const DEFAULT_ENTRY: StoredSoaEntry = { applicable: true, justification: DEFAULT_JUSTIFICATION, version: 0 };

/** The whole SoA as stored entries: the current rows, the default for every control without one. */
export async function currentSoaEntries(db: Db): Promise<{ version: number; entries: Record<string, StoredSoaEntry> }> {
  const [rows, latest] = await Promise.all([
    db.selectFrom('soa_entries').select(['control_id', 'applicable', 'justification', 'version']).execute(),
    db
      .selectFrom('soa_versions')
      .select((eb) => eb.fn.max('version').as('version'))
      .executeTakeFirst(),
  ]);
  const stored = new Map(rows.map((r) => [r.control_id, r]));
  const entries = Object.fromEntries(
    ANNEX_A.map((c) => {
      const row = stored.get(c.controlId);
      return [
        c.controlId,
        row
          ? { applicable: Boolean(Number(row.applicable)), justification: row.justification, version: Number(row.version) }
          : DEFAULT_ENTRY,
      ];
    }),
  );
  return { version: Number(latest?.version ?? 0), entries };
}

/** What a request signs as the SoA now: its version and the current entries of the controls it changes. */
export async function soaSnapshot(db: Db, controlIds: readonly string[]) {
  const { version, entries } = await currentSoaEntries(db);
  return {
    version,
    entries: Object.fromEntries(
      controlIds.map((id) => [id, { applicable: entries[id].applicable, justification: entries[id].justification }]),
    ),
  };
}

async function approvalsOf(db: Db, versions: Iterable<number>): Promise<Map<number, SoaApproval>> {
  const wanted = [...new Set(versions)].filter((v) => v > 0);
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('soa_versions')
    .select(['version', 'approval_request_id', 'approved_at', 'approved_by'])
    .where('version', 'in', wanted)
    .execute();
  return new Map(
    rows.map((r) => [
      Number(r.version),
      {
        version: Number(r.version),
        approvalRequestId: r.approval_request_id,
        approvedAt: r.approved_at,
        approvedBy: JSON.parse(r.approved_by) as Signer[],
      },
    ]),
  );
}

async function present(db: Db, version: number, entries: Record<string, StoredSoaEntry>): Promise<SoaView> {
  const approvals = await approvalsOf(db, [version, ...Object.values(entries).map((e) => e.version)]);
  const own = approvals.get(version);
  return {
    version,
    approved: own !== undefined,
    approvalRequestId: own?.approvalRequestId ?? null,
    approvedAt: own?.approvedAt ?? null,
    approvedBy: own?.approvedBy ?? [],
    entries: ANNEX_A.map((c) => {
      const entry = entries[c.controlId] ?? DEFAULT_ENTRY;
      const approval = approvals.get(entry.version);
      return {
        controlId: c.controlId,
        title: c.title,
        applicable: entry.applicable,
        justification: entry.justification,
        version: entry.version,
        approved: approval !== undefined,
        approvalRequestId: approval?.approvalRequestId ?? null,
        approvedAt: approval?.approvedAt ?? null,
        approvedBy: approval?.approvedBy ?? [],
      };
    }),
  };
}

/** The SoA as it is now. */
export async function loadSoa(db: Db): Promise<SoaView> {
  const { version, entries } = await currentSoaEntries(db);
  return present(db, version, entries);
}

/** The SoA as it was at version `version` (0: the unreviewed default). */
export async function loadSoaVersion(db: Db, version: number): Promise<SoaView> {
  if (version === 0)
    return present(db, 0, Object.fromEntries(ANNEX_A.map((c) => [c.controlId, DEFAULT_ENTRY] as [string, StoredSoaEntry])));
  const row = await db.selectFrom('soa_versions').select(['entries']).where('version', '=', version).executeTakeFirst();
  if (!row)
    throw new AppError('not_found', `the Statement of Applicability has no version ${version}`, {
      resource: 'soa_version',
      id: String(version),
    });
  return present(db, version, JSON.parse(row.entries) as Record<string, StoredSoaEntry>);
}

/** Every approved version, newest first, with what each changed, who asked and who signed. */
export async function listSoaVersions(db: Db, { limit, offset }: { limit: number; offset: number }) {
  const [rows, total] = await Promise.all([
    db
      .selectFrom('soa_versions')
      .select(['version', 'changes', 'approval_request_id', 'requested_by', 'approved_by', 'applied_by', 'approved_at', 'change_record_id'])
      .orderBy('version', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    db
      .selectFrom('soa_versions')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst(),
  ]);
  return {
    items: rows.map((r) => ({
      version: Number(r.version),
      changes: (JSON.parse(r.changes) as SoaEntryInput[]).map((c) => ({
        ...c,
        title: ANNEX_A_BY_ID.get(c.controlId)?.title ?? c.controlId,
      })),
      approvalRequestId: r.approval_request_id,
      requestedBy: r.requested_by,
      approvedBy: JSON.parse(r.approved_by) as Signer[],
      appliedBy: r.applied_by,
      approvedAt: r.approved_at,
      changeRecordId: r.change_record_id,
    })),
    total: Number(total?.n ?? 0),
    limit,
    offset,
  };
}

/** The excluded controls now, with their justification and version: what the control status reads. */
export async function excludedControls(db: Db): Promise<Map<string, { justification: string; version: number }>> {
  const rows = await db.selectFrom('soa_entries').select(['control_id', 'justification', 'version']).where('applicable', '=', 0).execute();
  return new Map(rows.map((r) => [r.control_id, { justification: r.justification, version: Number(r.version) }]));
}
