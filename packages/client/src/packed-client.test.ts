// The client as an integrator gets it: `npm pack` of this workspace, installed into an empty
// project (from the npm cache, no network needed) must bring no part of the server (no Fastify,
// no database driver), and a TypeScript program in that project, type-checked against the
// installed declarations, must check a runtime status and list systems through the typed API on a
// real server process. This tests the packaging, so one dialect is enough: the client's behaviour
// on both databases is proofline-client.test.ts's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createApiToken } from '../../../src/accounts/auth.service.js';
import { createUser } from '../../../src/accounts/users.service.js';
import { loadConfig } from '../../../src/config.js';
import { systemContext } from '../../../src/context.js';
import { createStore } from '../../../src/db/store.js';
import { buildSystem } from '../../../test/factories.js';
import { type ServerProcess, serverEnv, startServerProcess } from '../../../test/server-process.js';
import { freshDatabaseUrl } from '../../../test/stores.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** What an install of the client may bring: the client and openapi-fetch with its one dependency. */
const EXPECTED_PACKAGES = ['@proofline/client', 'openapi-fetch', 'openapi-typescript-helpers'];
const SERVER_PACKAGES = ['fastify', 'pg', 'better-sqlite3', 'kysely', 'proofline'];

/** The environment for a nested npm: none of the `npm test` run's package or workspace settings. */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || keep.has(key.toLowerCase())));
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, env: npmEnv(), encoding: 'utf8' });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Top-level package names in a node_modules folder, scoped ones as @scope/name. */
function installedPackages(nodeModules: string): string[] {
  return fs
    .readdirSync(nodeModules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (name.startsWith('@') ? fs.readdirSync(path.join(nodeModules, name)).map((inner) => `${name}/${inner}`) : [name]))
    .sort();
}

describe('the packed @proofline/client installed into an empty project', () => {
  let work: string;
  let project: string;
  let packedFiles: string[];

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-client-pack-'));
    const packDir = path.join(work, 'pack');
    project = path.join(work, 'project');
    fs.mkdirSync(packDir);
    fs.mkdirSync(project);
    // prepack builds the package's dist from its sources, so the tarball is never a stale build.
    const packed = JSON.parse(
      run('npm', ['pack', '--json', '--silent', '-w', '@proofline/client', '--pack-destination', packDir], ROOT),
    ) as {
      filename: string;
      files: { path: string }[];
    }[];
    packedFiles = packed[0].files.map((f) => f.path).sort();
    const tarball = path.join(packDir, packed[0].filename);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'an-ai-service', private: true, type: 'module' }));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], project);
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the tarball holds the build and no sources or tests', () => {
    assert.ok(packedFiles.includes('dist/index.js') && packedFiles.includes('dist/index.d.ts'), packedFiles.join(', '));
    const stray = packedFiles.filter((file) => !file.startsWith('dist/') && !['package.json', 'README.md'].includes(file));
    assert.deepEqual(stray, []);
    assert.deepEqual(
      packedFiles.filter((file) => file.includes('.test.')),
      [],
    );
  });

  test('installs alone: no web framework, no database driver, nothing of the server', () => {
    const installed = installedPackages(path.join(project, 'node_modules'));
    assert.deepEqual(
      installed.filter((name) => SERVER_PACKAGES.includes(name)),
      [],
    );
    assert.deepEqual(installed, EXPECTED_PACKAGES);
  });

  describe('against a running server', () => {
    let server: ServerProcess;
    let databaseUrl: string;

    before(async () => {
      databaseUrl = await freshDatabaseUrl('sqlite');
      server = await startServerProcess(serverEnv(databaseUrl));
    });
    after(() => server?.stop());

    test('a typed program checks its runtime status and lists systems through the typed API', async () => {
      const store = createStore(loadConfig({ PROOFLINE_DATABASE_URL: databaseUrl }).database);
      let systemId: string;
      let token: string;
      try {
        const system = await buildSystem(store, { name: 'Packed-client scoring', runtimeDefault: 'active' });
        systemId = system.id;
        token = await store.transact(async (trx) => {
          const ctx = systemContext('test');
          const service = await createUser(trx, {
            ctx,
            user: { email: 'svc@example.test', displayName: 'Scoring service', roles: ['contributor'] },
          });
          const made = await createApiToken(trx, {
            ctx,
            token: { userId: service.id, name: 'svc', scopes: ['read', 'ingest'], expiresInDays: 1 },
          });
          return made.token;
        });
      } finally {
        await store.close();
      }

      fs.writeFileSync(
        path.join(project, 'use-client.ts'),
        `import { createProoflineApi, ProoflineClient, type RuntimeStatus } from '@proofline/client';

const baseUrl = ${JSON.stringify(server.url)};
const token = ${JSON.stringify(token)};
const client = new ProoflineClient({ baseUrl, token, systemId: ${JSON.stringify(systemId)}, flushIntervalMs: 0 });
const status: RuntimeStatus = await client.status();

const api = createProoflineApi({ baseUrl, token });
const { data, error, response } = await api.GET('/api/v1/systems', { params: { query: { limit: 50 } } });
if (error) throw new Error(\`listSystems answered \${response.status}: \${error.error.code}\`);
const names: string[] = data.items.map((system) => system.name);

// Never called: only compiles while the API is typed (an untyped client would accept any path).
// @ts-expect-error '/api/v1/no-such-path' is not a path of Proofline's API
const _untypedPath = () => api.GET('/api/v1/no-such-path');

console.log(JSON.stringify({ state: status.state, source: status.source, total: data.total, names }));
`,
      );
      fs.writeFileSync(
        path.join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            lib: ['ES2022', 'DOM'],
            types: [],
            strict: true,
            outDir: 'out',
          },
          files: ['use-client.ts'],
        }),
      );
      // This repository's TypeScript, but the project's node_modules: what tsc reads is the installed package.
      run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], project);
      const output = JSON.parse(run(process.execPath, [path.join('out', 'use-client.js')], project)) as {
        state: string;
        source: string;
        total: number;
        names: string[];
      };
      assert.deepEqual(output, { state: 'active', source: 'proofline', total: 1, names: ['Packed-client scoring'] });
    });
  });
});
