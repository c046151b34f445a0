// POST /api/v1/evidence-packs and the CLI (`proofline evidence export`, `proofline pack verify`)
// on both databases: who may ask, the streamed zip and its name, offline verification of what they
// wrote, and that a refused request writes nothing.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { createTestApp, type TestApp } from '../../test/app.js';
import { cliDatabase, cliUser, runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { loadSigningKey } from '../ledger/signing-key.js';
import { PACK_FILES } from './pack-format.js';
import { verifyEvidencePack } from './pack-verify.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-pack-routes-'));

/** The zip with one byte of `name` changed. */
async function tamperedCopy(file: string, name: string): Promise<string> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))),
  );
  const out = new yazl.ZipFile();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, async (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        const content = Buffer.concat(chunks);
        if (entry.fileName === name) content[5] ^= 1;
        out.addBuffer(content, entry.fileName);
        zip.readEntry();
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  out.end();
  const target = path.join(dir, `tampered-${path.basename(file)}`);
  await pipeline(out.outputStream, fs.createWriteStream(target));
  return target;
}

for (const dialect of DIALECTS) {
  describe(`evidence packs over HTTP (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
      await buildSystem(t.store);
    });
    after(() => t.close());

    test('an auditor gets the pack as a zip attachment that verifies offline; generating it is a ledger event', async () => {
      const auditor = await t.user(['auditor'], { scopes: ['read'] });
      const before = await ledgerSize(t.store);
      const res = await t.call(auditor, 'POST', '/api/v1/evidence-packs', { scope: 'organisation' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['content-type'], 'application/zip');
      assert.match(String(res.headers['content-disposition']), /^attachment; filename="proofline-evidence-.*\.zip"$/);
      assert.equal(await ledgerSize(t.store), before + 1);
      const file = path.join(dir, `http-${dialect}.zip`);
      fs.writeFileSync(file, res.rawPayload);
      const result = await verifyEvidencePack(file, { verifierKey: t.services.signer.verifierKey });
      assert.equal(result.ok, true, JSON.stringify(result.problem));
      assert.equal(result.events, before + 1);
    });

    test('other roles are refused (forbidden) and nothing is written', async () => {
      for (const roles of [['governance_lead'], ['system_owner']] as const) {
        const user = await t.user([...roles]);
        const before = await ledgerSize(t.store);
        const res = await t.call(user, 'POST', '/api/v1/evidence-packs', { scope: 'organisation' });
        assert.equal(res.statusCode, 403);
        assert.equal(res.json().error.code, 'forbidden');
        assert.equal(await ledgerSize(t.store), before);
      }
    });

    test('a bad scope is refused with validation_failed or not_found, and nothing is written', async () => {
      const admin = await t.user(['admin']);
      const before = await ledgerSize(t.store);
      const cases = [
        [{ scope: 'galaxy' }, 400, 'validation_failed'],
        [{ scope: 'system' }, 400, 'validation_failed'],
        [{ scope: 'system', id: '00000000-0000-4000-8000-000000000000' }, 404, 'not_found'],
        [{ scope: 'control', id: 'nope:1' }, 400, 'validation_failed'],
      ] as const;
      for (const [body, status, code] of cases) {
        const res = await t.call(admin, 'POST', '/api/v1/evidence-packs', body);
        assert.equal(res.statusCode, status, res.body);
        assert.equal(res.json().error.code, code);
      }
      assert.equal(await ledgerSize(t.store), before);
    });
  });

  describe(`evidence packs on the command line (${dialect})`, () => {
    let url: string;
    let store: Awaited<ReturnType<typeof cliDatabase>>['store'];
    const keyFile = path.join(dir, `key-${dialect}.pem`);
    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      const { privateKey } = generateKeyPairSync('ed25519');
      fs.writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
      process.env.PROOFLINE_SIGNING_KEY_FILE = keyFile;
      await buildSystem(store);
    });
    after(async () => {
      delete process.env.PROOFLINE_SIGNING_KEY_FILE;
      await store.close();
    });

    test('evidence export writes a pack that pack verify accepts, and a changed byte makes it exit 1 naming the file', async () => {
      const auditor = await cliUser(store, ['auditor']);
      const file = path.join(dir, `cli-${dialect}.zip`);
      const exported = await runCli(url, ['evidence', 'export', '--scope', 'organisation', '-o', file, '--as', auditor.email]);
      assert.equal(exported.code, 0, exported.stderr);
      const verifierKey = loadSigningKey(
        { signingKey: null, signingKeyFile: keyFile, ledgerOrigin: 'proofline.local/ledger' },
        { create: false },
      ).verifierKey;
      const keyText = path.join(dir, `verifier-${dialect}.txt`);
      fs.writeFileSync(keyText, verifierKey);
      const ok = await runCli('sqlite:/nonexistent/never-opened.db', ['pack', 'verify', file, '--key', keyText]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /pack intact/);
      const bad = await runCli('sqlite:/nonexistent/never-opened.db', [
        'pack',
        'verify',
        await tamperedCopy(file, PACK_FILES.events),
        '--key',
        keyText,
      ]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /pack NOT intact: ledger\/events\.jsonl/);
    });

    test('evidence export refuses an unknown scope with validation_failed and writes nothing', async () => {
      const before = await ledgerSize(store);
      const res = await runCli(url, ['evidence', 'export', '--scope', 'galaxy', '-o', path.join(dir, 'never.zip')]);
      assert.equal(res.code, 1);
      assert.match(res.stderr, /validation_failed/);
      assert.equal(await ledgerSize(store), before);
    });
  });
}
