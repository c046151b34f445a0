// `proofline/ledger` as an outsider uses it: a separate node process imports the package subpath
// (the built dist, through package.json "exports") and checks an inclusion proof and a signed
// checkpoint fetched from a running API. The test builds dist (npx tsc -p tsconfig.build.json)
// when dist/ledger is missing or older than the sources it is made from.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createTestApp, type TestApp } from '../../test/app.js';
import { DIALECTS } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { appendEvents } from './ledger.service.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LIB_SOURCES = ['verify-lib.ts', 'merkle.ts', 'checkpoint-note.ts', 'canonical.ts'];

function ensureBuilt(): void {
  const built = path.join(ROOT, 'dist/ledger/verify-lib.js');
  const newest = Math.max(...LIB_SOURCES.map((f) => fs.statSync(path.join(ROOT, 'src/ledger', f)).mtimeMs));
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newest) return;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
}

// Runs as an outside auditor would: nothing from src/, only the package and fetch.
const AUDITOR_SCRIPT = `
const lib = await import('proofline/ledger');
const { URL: base, TOKEN } = process.env;
const get = (p) => fetch(base + p, { headers: { authorization: 'Bearer ' + TOKEN } }).then((r) => r.json());
const key = lib.parseVerifierKey((await fetch(base + '/api/v1/ledger/public-key').then((r) => r.json())).verifierKey);
const proof = await get('/api/v1/ledger/proofs/inclusion?seq=5');
const checkpoint = lib.verifyCheckpoint(proof.checkpoint, key.value);
const leafHash = lib.leafHash(new TextEncoder().encode(proof.leaf));
const path = proof.proof.map(lib.fromHex);
const root = checkpoint.ok ? checkpoint.value.checkpoint.rootHash : new Uint8Array(32);
const bent = path.map((h, i) => (i === 0 ? Uint8Array.from(h, (b, j) => (j === 0 ? b ^ 1 : b)) : h));
console.log(JSON.stringify({
  keyOk: key.ok,
  checkpointOk: checkpoint.ok,
  included: lib.verifyInclusion(leafHash, proof.seq, proof.treeSize, path, root),
  bentProofRejected: !lib.verifyInclusion(leafHash, proof.seq, proof.treeSize, bent, root),
}));
`;

describe('package export proofline/ledger', () => {
  test('package.json maps ./ledger to the built verification library', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'proofline');
    assert.equal(pkg.exports['./ledger'].default, './dist/ledger/verify-lib.js');
    assert.equal(pkg.exports['./ledger'].types, './dist/ledger/verify-lib.d.ts');
  });
});

for (const dialect of DIALECTS) {
  describe(`an outside script verifies a proof from the API with proofline/ledger [${dialect}]`, () => {
    let t: TestApp;
    let url: string;
    let token: string;
    before(async () => {
      ensureBuilt();
      t = await createTestApp(dialect);
      const auditor = await t.user(['auditor']);
      const admin = await t.user(['admin']);
      token = auditor.token;
      await t.store.transact((trx) =>
        appendEvents(
          trx,
          systemContext('export-test'),
          Array.from({ length: 11 }, (_, i) => ({ type: 'test.event', subject: { type: 'thing', id: String(i) } })),
        ),
      );
      assert.equal((await t.call(admin, 'POST', '/api/v1/ledger/checkpoints')).statusCode, 200);
      url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    });
    after(() => t.close());

    test('the checkpoint signature and the inclusion proof verify; a bent proof does not', async () => {
      // Asynchronously: the API answering the script runs in this process.
      const run = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', AUDITOR_SCRIPT], {
        cwd: ROOT,
        env: { ...process.env, URL: url, TOKEN: token },
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.deepEqual(JSON.parse(run.stdout), { keyOk: true, checkpointOk: true, included: true, bentProofRejected: true });
    });
  });
}
