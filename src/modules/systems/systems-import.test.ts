import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { cliDatabase, runCli } from '../../../test/cli.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { createUser } from '../../accounts/users.service.js';
import { systemContext } from '../../context.js';
import { importSystems, parseImport } from './systems.import.js';

const HEADER =
  'name,purpose,intendedUse,description,aiType,deploymentKind,status,euRiskTier,orgRiskTier,vendor,businessUnit,jurisdictions,tags,accountableOwnerEmail';

for (const dialect of DIALECTS) {
  describe(`inventory import and export [${dialect}]`, () => {
    let t: TestApp;
    let admin: TestUser;
    let owner: TestUser;

    const count = async (table: 'ledger_events' | 'ai_systems') =>
      Number(
        (
          await t.store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    before(async () => {
      t = await createTestApp(dialect);
      admin = await t.user(['admin']);
      owner = await t.user([], { email: `owner-${dialect}@example.test` });
    });
    after(() => t.close());

    test('a dry run reports every invalid row with its file line and writes nothing', async () => {
      const csv = [
        HEADER,
        `Good one,Scores,Support,,machine_learning,internal,in_development,high,,Acme,Risk,EU;US,a;b,${owner.email}`,
        'Missing purpose,,Support,,machine_learning,internal,,,,,,,,',
        '',
        '"Spans',
        'two lines",p,u,,robotic,internal,,,,,,,,',
        `Gated,p,u,,generative,internal,in_production,,,,,,,${owner.email}`,
        'Nobody,p,u,,generative,internal,paused,,,,,,,nobody@example.test',
      ].join('\n');
      const ledgerBefore = await count('ledger_events');
      const res = await t.call(admin, 'POST', '/api/v1/systems/import?format=csv&dryRun=true', csv, { 'content-type': 'text/csv' });
      assert.equal(res.statusCode, 200, res.body);
      const report = res.json();
      assert.equal(report.valid, 1);
      assert.equal(report.imported, 0);
      assert.deepEqual(
        report.invalid.map((r: { line: number }) => r.line),
        [3, 5, 7, 8],
      );
      assert.match(report.invalid[0].errors[0], /^purpose: is required/);
      assert.match(report.invalid[1].errors[0], /^aiType: "robotic"/);
      assert.match(report.invalid[2].errors[0], /^status: a system reaches in_production only through a completed approval/);
      assert.match(report.invalid[3].errors[0], /nobody@example.test is not an active user/);
      assert.equal(await count('ledger_events'), ledgerBefore);
    });

    test('JSON rows are numbered by array index + 1, unknown fields named', async () => {
      const body = [
        { name: 'J1', purpose: 'p', intendedUse: 'u', aiType: 'agentic', deploymentKind: 'prototype' },
        { name: 'J2', purpose: 'p', intendedUse: 'u', aiType: 'agentic', deploymentKind: 'prototype', colour: 'red' },
      ];
      const res = await t.call(admin, 'POST', '/api/v1/systems/import?dryRun=true', body);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().invalid, [{ line: 2, errors: ['colour: is not a known field'] }]);
    });

    test('an import with one bad row writes nothing; a good one writes every system with its event and owner role', async () => {
      const systemsBefore = await count('ai_systems');
      const ledgerBefore = await count('ledger_events');
      const good = `Imported A,p,u,,generative,third_party,in_development,limited,,,,EU,chat;support,${owner.email}`;
      const bad = [HEADER, good, 'Imported B,p,u,,generative,nowhere,,,,,,,,'].join('\n');
      const refused = await t.call(admin, 'POST', '/api/v1/systems/import', bad, { 'content-type': 'text/csv' });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.deepEqual(
        refused.json().error.details.invalid.map((r: { line: number }) => r.line),
        [3],
      );
      assert.equal(await count('ai_systems'), systemsBefore);
      assert.equal(await count('ledger_events'), ledgerBefore);

      const ok = await t.call(
        admin,
        'POST',
        '/api/v1/systems/import',
        [HEADER, good, 'Imported C,p,u,,rules_based,internal,,,,,,,,'].join('\n'),
        {
          'content-type': 'text/csv',
        },
      );
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json(), { valid: 2, invalid: [], imported: 2 });
      assert.equal(await count('ai_systems'), systemsBefore + 2);
      assert.equal(await count('ledger_events'), ledgerBefore + 2);
      const a = await t.store.db
        .selectFrom('ai_systems')
        .select(['id', 'accountable_owner_id', 'tags'])
        .where('name', '=', 'Imported A')
        .executeTakeFirstOrThrow();
      assert.equal(a.accountable_owner_id, owner.id);
      assert.deepEqual(JSON.parse(a.tags), ['chat', 'support']);
      const role = await t.store.db
        .selectFrom('user_roles')
        .select('user_id')
        .where('scope', '=', a.id)
        .where('role', '=', 'system_owner')
        .executeTakeFirst();
      assert.equal(role?.user_id, owner.id);
      const tagged = await t.call(admin, 'GET', '/api/v1/systems?tag=support');
      assert.equal(tagged.json().total, 1);
    });

    test("the import holds each row to the API's limits, naming the line and the field, and writes nothing", async () => {
      const over = { description: 20_001, vendor: 201, businessUnit: 201, orgRiskTier: 101 };
      const columns = HEADER.split(',');
      const csvLine = (name: string, field: string, length: number) =>
        columns
          .map((column) => ({ name, purpose: 'p', intendedUse: 'u', aiType: 'generative', deploymentKind: 'internal' })[column] ?? '')
          .map((value, index) => (columns[index] === field ? 'x'.repeat(length) : value))
          .join(',');
      const entries = Object.entries(over);
      const csv = [HEADER, ...entries.map(([field, length], i) => csvLine(`Too long ${i}`, field, length))].join('\n');
      const systemsBefore = await count('ai_systems');
      const ledgerBefore = await ledgerSize(t.store);
      const refused = await t.call(admin, 'POST', '/api/v1/systems/import?format=csv', csv, { 'content-type': 'text/csv' });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().error.code, 'validation_failed');
      assert.deepEqual(
        refused.json().error.details.invalid,
        entries.map(([field, length], i) => ({ line: i + 2, errors: [`${field}: must NOT have more than ${length - 1} characters`] })),
      );
      assert.equal(await count('ai_systems'), systemsBefore);
      assert.equal(await ledgerSize(t.store), ledgerBefore);
      // The same limits as POST /systems, which refuses each of these bodies too.
      for (const [field, length] of entries) {
        const body = {
          name: 'Direct',
          purpose: 'p',
          intendedUse: 'u',
          aiType: 'generative',
          deploymentKind: 'internal',
          [field]: 'x'.repeat(length),
        };
        const direct = await t.call(admin, 'POST', '/api/v1/systems', body);
        assert.equal(direct.statusCode, 400, direct.body);
        assert.equal(direct.json().error.details.field, `body.${field}`);
      }
      // At the limit, the import accepts the row.
      const atLimit = [HEADER, ...entries.map(([field, length], i) => csvLine(`At limit ${i}`, field, length - 1))].join('\n');
      const dry = await t.call(admin, 'POST', '/api/v1/systems/import?format=csv&dryRun=true', atLimit, { 'content-type': 'text/csv' });
      assert.deepEqual(dry.json(), { valid: entries.length, invalid: [], imported: 0 });
    });

    test('an imported system is written as POST /systems writes it: row, tags, owner role, ledger event, change records', async () => {
      const fields = {
        name: 'Twin',
        purpose: 'Scores loans',
        intendedUse: 'Credit decisions',
        description: 'A twin',
        aiType: 'machine_learning',
        deploymentKind: 'third_party',
        status: 'in_development',
        euRiskTier: 'high',
        orgRiskTier: 'T1',
        vendor: 'Acme',
        businessUnit: 'Risk',
        jurisdictions: ['EU', 'US'],
        tags: ['twin', 'loans'],
      };
      const created = await t.call(admin, 'POST', '/api/v1/systems', { ...fields, accountableOwnerId: owner.id });
      assert.ok(created.statusCode < 300, created.body);
      const imported = await t.call(admin, 'POST', '/api/v1/systems/import', [
        { ...fields, name: 'Twin', accountableOwnerEmail: owner.email },
      ]);
      assert.equal(imported.statusCode, 200, imported.body);
      const ids = (
        await t.store.db.selectFrom('ai_systems').select(['id', 'created_at']).where('name', '=', 'Twin').orderBy('created_at').execute()
      ).map((r) => r.id);
      assert.equal(ids.length, 2);
      const evidence = async (id: string) => {
        const events = await t.store.db.selectFrom('ledger_events').select('leaf').where('subject_id', '=', id).orderBy('seq').execute();
        const records = await t.store.db.selectFrom('change_records').selectAll().where('system_id', '=', id).execute();
        const system = await t.store.db.selectFrom('ai_systems').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        const tags = await t.store.db.selectFrom('system_tags').select('tag').where('system_id', '=', id).orderBy('tag').execute();
        const roles = await t.store.db.selectFrom('user_roles').select(['user_id', 'role', 'granted_by']).where('scope', '=', id).execute();
        const strip = (value: unknown): unknown =>
          JSON.parse(
            JSON.stringify(value, (key, v) =>
              [
                'id',
                'seq',
                'recordedAt',
                'requestId',
                'createdAt',
                'updatedAt',
                'created_at',
                'updated_at',
                'recorded_at',
                'subject_id',
                'system_id',
              ].includes(key)
                ? undefined
                : v,
            ),
          );
        return strip({ events: events.map((e) => JSON.parse(e.leaf)), records, system, tags, roles });
      };
      const [viaApi, viaImport] = [await evidence(ids[0]), await evidence(ids[1])];
      assert.deepEqual(viaImport, viaApi);
      const event = (viaApi as { events: Array<{ type: string; controls?: string[] }> }).events[0];
      assert.equal(event.type, 'system.created');
      // What an event evidences is computed on read (frameworks/event-controls.ts), never written into it.
      assert.equal(event.controls, undefined);
    });

    test('only governors import; export round-trips the import format', async () => {
      const contributor = await t.user(['contributor']);
      const refused = await t.call(contributor, 'POST', '/api/v1/systems/import', [HEADER].join('\n'), { 'content-type': 'text/csv' });
      assert.equal(refused.statusCode, 403);
      const csv = await t.call(contributor, 'GET', '/api/v1/systems/export?format=csv');
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /text\/csv/);
      assert.equal(csv.body.split('\n')[0], HEADER);
      assert.match(csv.body, new RegExp(`Imported A,p,u,,generative,third_party,in_development,limited,,,,EU,chat;support,${owner.email}`));
      const json = await t.call(contributor, 'GET', '/api/v1/systems/export?format=json');
      const rows = json.json() as Array<Record<string, unknown>>;
      const a = rows.find((r) => r.name === 'Imported A');
      assert.deepEqual(a?.tags, ['chat', 'support']);
      // Exported rows are valid import rows.
      const again = await t.call(admin, 'POST', '/api/v1/systems/import?format=csv&dryRun=true', csv.body, { 'content-type': 'text/csv' });
      assert.equal(again.json().invalid.length, 0, again.body);
    });

    test('a filtered export holds exactly the systems the list totals with the same filters; a bad filter is refused and writes nothing', async () => {
      const reader = await t.user(['auditor']);
      await buildSystem(t.store, {
        name: 'Exp alpha',
        euRiskTier: 'high',
        status: 'in_development',
        tags: ['exp-hr'],
        accountableOwnerId: owner.id,
      });
      await buildSystem(t.store, { name: 'Exp bravo', euRiskTier: 'high', tags: ['exp-hr'] });
      await buildSystem(t.store, { name: 'Exp charlie', euRiskTier: 'minimal', deploymentKind: 'shadow', aiType: 'generative' });
      await buildSystem(t.store, { name: 'Exp delta', euRiskTier: 'limited', status: 'in_development', accountableOwnerId: owner.id });
      const listed = async (query: string) => {
        const res = await t.call(reader, 'GET', `/api/v1/systems?limit=500&${query}`);
        assert.equal(res.statusCode, 200, res.body);
        const page = res.json() as { total: number; items: Array<{ name: string }> };
        assert.ok(page.total <= 500, 'the whole list fits one page');
        return { total: page.total, names: page.items.map((s) => s.name) };
      };
      const exported = async (query: string) => {
        const json = await t.call(reader, 'GET', `/api/v1/systems/export?format=json&${query}`);
        assert.equal(json.statusCode, 200, json.body);
        const csv = await t.call(reader, 'GET', `/api/v1/systems/export?format=csv&${query}`);
        assert.equal(csv.statusCode, 200, csv.body);
        const csvNames = parseImport(csv.body, 'csv').map((row) => row.fields.name);
        const names = (json.json() as Array<{ name: string }>).map((s) => s.name);
        assert.deepEqual(csvNames, names, 'the CSV and the JSON hold the same systems');
        return names;
      };
      const cases: Array<[string, string[] | null]> = [
        ['euRiskTier=high&status=in_development&q=Exp', ['Exp alpha']],
        ['euRiskTier=high&q=exp', ['Exp alpha', 'Exp bravo']],
        ['tag=exp-hr&withoutOwner=true', ['Exp bravo']],
        [`ownerId=${owner.id}&q=Exp`, ['Exp alpha', 'Exp delta']],
        ['deploymentKind=shadow&aiType=generative&untriagedShadow=true&q=Exp', ['Exp charlie']],
        ['reviewOverdue=false&q=Exp', ['Exp alpha', 'Exp bravo', 'Exp charlie', 'Exp delta']],
        ['reviewOverdue=true', []],
        ['status=in_development', null],
        ['withoutOwner=true', null],
        ['', null],
      ];
      for (const [query, expected] of cases) {
        const list = await listed(query);
        const names = await exported(query);
        assert.equal(names.length, list.total, `export and list total agree for "${query}"`);
        assert.deepEqual(names, list.names, `the export holds the list's systems for "${query}"`);
        if (expected) assert.deepEqual(names, expected, query);
      }
      // Without filters the export is the whole inventory.
      assert.equal((await exported('')).length, await count('ai_systems'));

      const ledgerBefore = await ledgerSize(t.store);
      const systemsBefore = await count('ai_systems');
      for (const bad of ['euRiskTier=severe', 'withoutOwner=maybe', 'q=', 'colour=red', 'limit=10', 'sort=-name']) {
        const list = await t.call(reader, 'GET', `/api/v1/systems?${bad}`);
        const res = await t.call(reader, 'GET', `/api/v1/systems/export?format=csv&${bad}`);
        assert.equal(res.statusCode, 400, `${bad}: ${res.body}`);
        assert.equal(res.json().error.code, 'validation_failed', bad);
        if (!bad.startsWith('limit') && !bad.startsWith('sort')) {
          // The list refuses the same filter with the same code and names the same field.
          assert.equal(list.statusCode, 400, bad);
          assert.equal(res.json().error.details.field, list.json().error.details.field, bad);
        }
      }
      assert.equal(await ledgerSize(t.store), ledgerBefore);
      assert.equal(await count('ai_systems'), systemsBefore);
    });

    if (dialect === 'sqlite') {
      test('10,000 rows import in one transaction, with progress', async () => {
        const lines = [HEADER];
        for (let i = 0; i < 10_000; i++) {
          lines.push(`Bulk ${i},Purpose ${i},Use,,machine_learning,internal,in_development,minimal,,,,EU,bulk;t${i % 10},${owner.email}`);
        }
        const rows = parseImport(lines.join('\n'), 'csv');
        const progress: number[] = [];
        const started = performance.now();
        const report = await t.store.transact((trx) =>
          importSystems(trx, { ctx: systemContext('bulk-test'), rows, onProgress: (done) => progress.push(done) }),
        );
        // Speed is the benchmark's to measure (machines here are noisy); the time is shown, not judged.
        console.log(`10,000-row import on SQLite: ${((performance.now() - started) / 1000).toFixed(2)} s`);
        assert.equal(report.imported, 10_000);
        assert.equal(progress.at(-1), 10_000);
        assert.ok(progress.length > 10);
        const bulk = await t.call(admin, 'GET', '/api/v1/systems?tag=bulk&limit=1');
        assert.equal(bulk.json().total, 10_000);
      });
    }

    test('the CLI imports (dry run, then for real) and exports', async () => {
      const { url, store } = await cliDatabase(dialect);
      await store.transact((trx) =>
        createUser(trx, {
          ctx: systemContext('test'),
          user: { email: 'lead@example.test', displayName: 'Lead', roles: ['governance_lead'] },
        }),
      );
      await store.close();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-cli-'));
      const file = path.join(dir, 'systems.csv');
      fs.writeFileSync(
        file,
        [HEADER, 'CLI one,p,u,,generative,internal,proposed,,,,,,x,', 'CLI two,p,u,,agentic,shadow,,,,,,,,'].join('\n'),
      );
      const cli = async (...args: string[]) => {
        const result = await runCli(url, args);
        assert.equal(result.code, 0, result.stderr);
        return result;
      };

      const dry = await cli('systems', 'import', file, '--dry-run', '--as', 'lead@example.test');
      assert.match(dry.stdout, /Dry run: 2 valid row\(s\)/);
      const real = await cli('systems', 'import', file, '--format', 'csv', '--as', 'lead@example.test');
      assert.match(real.stdout, /Imported 2 system\(s\)/);
      assert.match(real.stderr, /importing: 2\/2/);

      const bad = path.join(dir, 'bad.json');
      fs.writeFileSync(bad, JSON.stringify([{ name: 'x' }]));
      const refused = await runCli(url, ['systems', 'import', bad, '--as', 'lead@example.test']);
      assert.equal(refused.code, 1);
      assert.match(refused.stdout, /line 1: purpose: is required/);

      const out = path.join(dir, 'out.json');
      await cli('systems', 'export', '--output', out);
      const exported = JSON.parse(fs.readFileSync(out, 'utf8')) as Array<{ name: string }>;
      assert.deepEqual(
        exported.map((s) => s.name),
        ['CLI one', 'CLI two'],
      );
      const csv = await cli('systems', 'export', '--format', 'csv');
      assert.equal(csv.stdout.split('\n')[0], HEADER);
      // The list's filters, as `systems list` takes them.
      const shadow = await cli('systems', 'export', '--format', 'json', '--kind', 'shadow', '--shadow');
      assert.deepEqual(
        (JSON.parse(shadow.stdout) as Array<{ name: string }>).map((s) => s.name),
        ['CLI two'],
      );
      const emptyQ = await runCli(url, ['systems', 'export', '--q', '']);
      assert.equal(emptyQ.code, 1);
      assert.equal(emptyQ.stderr, 'proofline: validation_failed: q must NOT have fewer than 1 characters\n');
    });
  });
}
