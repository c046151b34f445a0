// The inventory import at scale: N CSV rows (default 10,000) parsed, checked and written in one
// transaction, on SQLite and PostgreSQL. Run: node --import tsx bench/systems-import.ts [rows]
import { systemContext } from '../src/context.js';
import { importSystems, parseImport } from '../src/modules/systems/systems.import.js';
import { createTestStore } from '../test/stores.js';

const count = Number(process.argv[2] ?? 10_000);
const HEADER =
  'name,purpose,intendedUse,description,aiType,deploymentKind,status,euRiskTier,orgRiskTier,vendor,businessUnit,jurisdictions,tags,accountableOwnerEmail';
const lines = [HEADER];
for (let i = 0; i < count; i++) {
  lines.push(`Bulk ${i},Purpose ${i},Use,,machine_learning,internal,in_development,minimal,,Acme,Risk,EU,bulk;t${i % 10},owner@x.test`);
}
const csv = lines.join('\n');
const dialects = (process.env.PROOFLINE_TEST_DIALECTS ?? 'sqlite,postgres').split(',');
for (const dialect of dialects as Array<'sqlite' | 'postgres'>) {
  const store = await createTestStore(dialect);
  const now = new Date().toISOString();
  await store.writer
    .insertInto('users')
    .values({
      id: 'owner-1',
      email: 'owner@x.test',
      display_name: 'O',
      password_hash: null,
      status: 'active',
      created_at: now,
      updated_at: now,
    })
    .execute();
  const started = performance.now();
  const rows = parseImport(csv, 'csv');
  const report = await store.transact((trx) => importSystems(trx, { ctx: systemContext('bench'), rows }));
  const seconds = (performance.now() - started) / 1000;
  if (report.imported !== count) throw new Error(`imported ${report.imported} of ${count}: ${JSON.stringify(report.invalid.slice(0, 3))}`);
  console.log(`${dialect}: ${count} rows imported in ${seconds.toFixed(2)} s (${Math.round(count / seconds)} rows/s)`);
  await store.close();
}
