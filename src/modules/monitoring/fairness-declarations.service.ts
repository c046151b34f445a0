// Which group attributes a system's outcomes may carry for fairness measurement (AI Act Art. 10(5),
// GDPR Art. 9): each attribute's name, the values it may take, and whether it is used only for
// fairness measurement. Outcome ingestion refuses any attribute or value not declared here, so
// special-category data enters only as far as someone with authority said it should, and why.
import { hasSystemRole, type RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';
import { assertExpectedVersion, assertGuardedWrite } from '../../versions.js';

export interface FairnessAttribute {
  name: string;
  values: string[];
  /** Collected only to measure fairness: never used to decide, never shown outside fairness reports. */
  fairnessOnly: boolean;
}

export interface FairnessDeclaration {
  systemId: string;
  attributes: FairnessAttribute[];
  rationale: string | null;
  version: number;
  updatedAt: string | null;
}

type Reader = Pick<Tx, 'selectFrom'>;

/** A system's declaration; a system that declared nothing has none (version 0): its outcomes carry no groups. */
export async function getFairnessDeclaration(db: Reader, systemId: string): Promise<FairnessDeclaration> {
  const system = await db.selectFrom('ai_systems').select('id').where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('AI system', systemId);
  const row = await db
    .selectFrom('fairness_declarations')
    .select(['attributes', 'rationale', 'version', 'updated_at'])
    .where('system_id', '=', systemId)
    .executeTakeFirst();
  if (!row) return { systemId, attributes: [], rationale: null, version: 0, updatedAt: null };
  return {
    systemId,
    attributes: JSON.parse(row.attributes) as FairnessAttribute[],
    rationale: row.rationale,
    version: Number(row.version),
    updatedAt: row.updated_at,
  };
}

/** The declared attributes of each system, for checking a batch: one query. */
export async function loadDeclaredAttributes(db: Reader, systemIds: string[]): Promise<Map<string, Map<string, Set<string>>>> {
  const declared = new Map<string, Map<string, Set<string>>>();
  if (systemIds.length === 0) return declared;
  const rows = await db
    .selectFrom('fairness_declarations')
    .select(['system_id', 'attributes'])
    .where('system_id', 'in', systemIds)
    .execute();
  for (const row of rows) {
    const attributes = JSON.parse(row.attributes) as FairnessAttribute[];
    declared.set(row.system_id, new Map(attributes.map((a) => [a.name, new Set(a.values)])));
  }
  return declared;
}

function checkAttributes(attributes: FairnessAttribute[]): FairnessAttribute[] {
  const names = new Set<string>();
  return attributes.map((attribute, i) => {
    if (names.has(attribute.name)) {
      throw new AppError('validation_failed', `attributes[${i}].name: ${attribute.name} is declared twice`, {
        field: `attributes[${i}].name`,
      });
    }
    names.add(attribute.name);
    const values = attribute.values.map((v) => v.trim());
    if (new Set(values).size !== values.length || values.some((v) => v === '')) {
      throw new AppError('validation_failed', `attributes[${i}].values: each value once, none empty`, { field: `attributes[${i}].values` });
    }
    return { name: attribute.name, values, fairnessOnly: attribute.fairnessOnly };
  });
}

/** Replaces a system's declaration, with its reason, as one ledger event carrying before and after.
 * Only an admin, the governance lead or the system's owner declares what special-category data a
 * system's outcomes may carry. */
export async function declareFairnessAttributes(
  trx: Tx,
  {
    ctx,
    systemId,
    attributes,
    rationale,
    expectedVersion,
  }: { ctx: RequestContext; systemId: string; attributes: FairnessAttribute[]; rationale: string; expectedVersion?: number },
): Promise<FairnessDeclaration> {
  if (ctx.actor.kind !== 'system' && !hasSystemRole(ctx.actor, systemId, 'admin', 'governance_lead', 'system_owner')) {
    throw new AppError('forbidden', "only an admin, the governance lead or the system's owner declares its fairness attributes");
  }
  const why = requireRationale(rationale, { field: 'rationale', minimum: ctx.policies.minRationaleLength });
  const before = await getFairnessDeclaration(trx, systemId);
  assertExpectedVersion(`the fairness declaration of system ${systemId}`, before.version, expectedVersion);
  const declared = checkAttributes(attributes);
  const now = new Date().toISOString();
  const version = before.version + 1;
  const values = { attributes: JSON.stringify(declared), rationale: why, version, updated_by: ctx.actor.userId, updated_at: now };
  if (before.version === 0) {
    await trx
      .insertInto('fairness_declarations')
      .values({ system_id: systemId, ...values })
      .execute();
  } else {
    const result = await trx
      .updateTable('fairness_declarations')
      .set(values)
      .where('system_id', '=', systemId)
      .where('version', '=', before.version)
      .executeTakeFirst();
    assertGuardedWrite(`the fairness declaration of system ${systemId}`, result, before.version);
  }
  await appendEvent(trx, ctx, {
    type: 'monitoring.fairness_attributes_declared',
    subject: { type: 'ai_system', id: systemId },
    before: before.version === 0 ? undefined : { attributes: before.attributes, version: before.version },
    after: { attributes: declared, version },
    reason: why,
    data: { systemId },
  });
  return { systemId, attributes: declared, rationale: why, version, updatedAt: now };
}
