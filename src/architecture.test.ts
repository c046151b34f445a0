// The direction of dependencies, enforced (docs/ARCHITECTURE.md, "Layers"). A feature module never
// imports a sibling feature; what features share sits below them (accounts, notifications,
// governance, ledger, db); what ties two features together sits above them, in workflows/. A
// feature's HTTP face (`*.routes.ts`) may start a workflow; nothing else in a feature may. And no
// feature or workflow knows which database it runs on: it asks the store (db/store.ts) for a capability.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const SRC = path.resolve(import.meta.dirname);

/** Every non-test source file under src/, relative to src/. */
function sourceFiles(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path.relative(SRC, full)] : [];
  });
}

/** The files a source file imports (static, dynamic and type-only), relative to src/. */
export function importsOf(file: string, text = fs.readFileSync(path.join(SRC, file), 'utf8')): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = path.relative(SRC, path.resolve(path.dirname(path.join(SRC, file)), match[1]));
    found.push(target.replace(/\.js$/, '.ts'));
  }
  return found;
}

/** Layers from the bottom up; a file may import its own layer (within its own module) or any lower one. */
const FOUNDATION = ['accounts', 'notifications', 'governance', 'frameworks', 'ledger', 'db', 'ingest'];

const featureOf = (file: string) => (file.startsWith('modules/') ? file.split('/')[1] : null);
const topOf = (file: string) => file.split('/')[0];

/** The kernel: what anything may import. */
const KERNEL = ['config.ts', 'context.ts', 'errors.ts', 'lazy.ts', 'db', 'ledger'];

/** Why `file` may not import `target`, or null when it may. */
export function violation(file: string, target: string): string | null {
  // The statistics library is pure: its own files and the kernel, so any layer can use it.
  if (file.startsWith('monitoring/stats/')) {
    if (target.startsWith('monitoring/stats/') || KERNEL.includes(topOf(target))) return null;
    return `the statistics library imports ${target}, outside the kernel`;
  }
  const feature = featureOf(file);
  const targetFeature = featureOf(target);
  const targetTop = topOf(target);
  if (feature) {
    if (targetFeature && targetFeature !== feature) return `feature ${feature} imports sibling feature ${targetFeature}`;
    if (targetTop === 'workflows' && !file.endsWith('.routes.ts')) return `only a feature's routes may start a workflow`;
    if (['cli', 'jobs'].includes(targetTop) || target === 'server/app.ts') return `a feature imports ${targetTop}`;
    return null;
  }
  if (FOUNDATION.includes(topOf(file))) {
    // db/schema.ts composes every feature's table types into the one Database type.
    if (file === 'db/schema.ts' && target.endsWith('.tables.ts')) return null;
    if (targetFeature || targetTop === 'workflows')
      return `${topOf(file)} (below the features) imports ${targetTop}/${targetFeature ?? ''}`;
    return null;
  }
  if (topOf(file) === 'workflows' && ['cli', 'jobs'].includes(targetTop)) return `a workflow imports ${targetTop}`;
  // Evidence packs sit above the features but read their tables through the Database type; the one
  // feature they call is the live control status, and only through evidence/control-status.ts.
  if (topOf(file) === 'evidence' && targetFeature) {
    if (file === 'evidence/control-status.ts' && target === 'modules/controls/controls.service.ts') return null;
    return `evidence imports feature ${targetFeature} other than through control-status.ts -> controls.service.ts`;
  }
  return null;
}

/** What gives away that code branches on (or reaches into) one database; only db/ (and the
 * ledger's hot path) may. */
const DIALECT_MARKERS: Array<[RegExp, string]> = [
  [/\bdialect\b/i, 'names the dialect'],
  [/\b(?:Sqlite|Postgres|Mysql)(?:Adapter|Dialect)\b/, 'names a Kysely adapter or dialect class'],
  [/\binstanceof\s+\w*Adapter\b/, 'tests the adapter class'],
  [/\.getExecutor\(\)\.adapter\b/, "reads the executor's adapter"],
  [/\.(?:sqlite|pgPool)\b/, "reaches for the store's raw handle"],
  [/\bsqliteHandleOf\b/, "reaches for SQLite's raw handle"],
  [/['"](?:better-sqlite3|pg)['"]/, 'imports a database driver'],
  [/\b(?:pg_notify|ilike)\b/i, "writes one database's SQL"],
];

/** Why `text` (a source file) branches on the database, or [] when it does not. */
export function dialectBranches(text: string): string[] {
  return DIALECT_MARKERS.flatMap(([pattern, why]) => (pattern.test(text) ? [why] : []));
}

describe('module layout: dependencies point one way', () => {
  it('no feature imports a sibling feature, nothing below the features imports one, only routes start workflows', () => {
    const files = sourceFiles();
    assert.ok(files.length > 100, `found only ${files.length} source files`);
    const problems = files.flatMap((file) =>
      importsOf(file).flatMap((target) => {
        const why = violation(file, target);
        return why ? [`${file} -> ${target}: ${why}`] : [];
      }),
    );
    assert.deepEqual(problems, []);
  });

  it('the check itself refuses each kind of wrong import', () => {
    assert.match(violation('modules/systems/systems.service.ts', 'modules/approvals/requests.service.ts') ?? '', /sibling/);
    assert.match(violation('modules/approvals/decisions.service.ts', 'workflows/apply-approved-change.ts') ?? '', /routes/);
    assert.equal(violation('modules/approvals/approvals.routes.ts', 'workflows/apply-approved-change.ts'), null);
    assert.match(violation('governance/approval-gate.ts', 'modules/systems/systems.tables.ts') ?? '', /below the features/);
    assert.match(violation('ledger/ledger.service.ts', 'workflows/emergency-change.ts') ?? '', /below the features/);
    assert.equal(violation('modules/systems/systems.service.ts', 'governance/change-records.service.ts'), null);
    assert.equal(violation('workflows/emergency-change.ts', 'modules/exceptions/exceptions.service.ts'), null);
    assert.equal(violation('evidence/control-status.ts', 'modules/controls/controls.service.ts'), null);
    assert.match(violation('evidence/pack-writer.ts', 'modules/controls/controls.service.ts') ?? '', /control-status/);
    assert.match(violation('evidence/control-status.ts', 'modules/systems/systems.service.ts') ?? '', /control-status/);
    assert.deepEqual(importsOf('x/a.ts', "import { b } from '../y/b.js';\nimport type { C } from './c.js';"), ['y/b.ts', 'x/c.ts']);
  });

  it('the statistics library (monitoring/stats) imports only the kernel and its own files', () => {
    const files = sourceFiles().filter((file) => file.startsWith('monitoring/stats/'));
    assert.ok(files.length >= 8, `found only ${files.length} statistics files`);
    assert.deepEqual(
      files.flatMap((file) => importsOf(file).flatMap((target) => (violation(file, target) ? [`${file} -> ${target}`] : []))),
      [],
    );
    assert.equal(violation('monitoring/stats/fairness.ts', 'errors.ts'), null);
    assert.equal(violation('monitoring/stats/fairness.ts', 'monitoring/stats/groups.ts'), null);
    for (const outside of [
      'modules/decisions/decisions.service.ts',
      'governance/policies.ts',
      'accounts/users.service.ts',
      'workflows/decide-approval.ts',
      'server/app.ts',
      'monitoring/monitoring.service.ts',
    ]) {
      assert.match(violation('monitoring/stats/fairness.ts', outside) ?? '', /statistics library/, outside);
    }
  });

  it('no feature module or workflow branches on the database: each asks the store for a capability', () => {
    const files = sourceFiles().filter((file) => file.startsWith('modules/') || file.startsWith('workflows/'));
    assert.ok(files.length > 40, `found only ${files.length} feature and workflow files`);
    const problems = files.flatMap((file) =>
      dialectBranches(fs.readFileSync(path.join(SRC, file), 'utf8')).map((why) => `${file}: ${why}`),
    );
    assert.deepEqual(problems, []);
  });

  it('the dialect check itself spots each way of branching on the database', () => {
    for (const text of [
      "if (store.dialect === 'sqlite') {}",
      'const op = db.getExecutor().adapter instanceof PostgresAdapter ? a : b;',
      'if (trx instanceof SqliteAdapter) {}',
      'const writer = store.sqlite ? fast(store.sqlite) : undefined;',
      'await store.pgPool.connect();',
      "import type SQLite from 'better-sqlite3';",
      "import type pg from 'pg';",
      "await sql`select pg_notify('proofline_runtime', id)`.execute(trx);",
      'const h = sqliteHandleOf(trx);',
    ]) {
      assert.notDeepEqual(dialectBranches(text), [], text);
    }
    assert.deepEqual(dialectBranches("await notify(trx, RUNTIME_CHANNEL, id);\nimport { insertRows } from '../../db/store.js';"), []);
  });
});
