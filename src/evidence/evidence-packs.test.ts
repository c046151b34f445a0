// Evidence packs on both databases: a pack verifies offline, and fails verification naming the file
// (or the seq) when any byte of any of its files changes; its OSCAL documents validate against the
// NIST schemas; a refused scope writes nothing.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { cliUser } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { createTestStore, DIALECTS, ledgerSize } from '../../test/stores.js';
import { systemContext } from '../context.js';
import type { Store } from '../db/store.js';
import { makeCheckpoint } from '../ledger/checkpoints.service.js';
import { type LedgerSigner, loadSigningKey } from '../ledger/signing-key.js';
import { PACK_FILES, type PackScope } from './pack-format.js';
import { verifyEvidencePack } from './pack-verify.js';
import { generateEvidencePack } from './pack-writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-packs-'));
let n = 0;

function testSigner(): LedgerSigner {
  const { privateKey } = generateKeyPairSync('ed25519');
  return loadSigningKey({
    signingKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    signingKeyFile: '',
    ledgerOrigin: 'proofline.test/ledger',
  });
}

async function writePack(store: Store, signer: LedgerSigner, scope: PackScope): Promise<string> {
  const pack = await generateEvidencePack(store, { ctx: systemContext('pack-test'), scope, signer });
  n += 1;
  const file = path.join(dir, `pack-${n}.zip`);
  await pipeline(pack.stream, fs.createWriteStream(file));
  return file;
}

async function readZip(file: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))),
  );
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, async (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        files.set(entry.fileName, Buffer.concat(chunks));
        zip.readEntry();
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return files;
}

async function writeZip(files: Map<string, Buffer>): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of files) zip.addBuffer(content, name);
  zip.end();
  n += 1;
  const file = path.join(dir, `tampered-${n}.zip`);
  await pipeline(zip.outputStream, fs.createWriteStream(file));
  return file;
}

/** The same pack with one byte of one file changed (a byte inside the content, not a newline). */
async function tamper(file: string, name: string, { fixDigest = false } = {}): Promise<string> {
  const files = await readZip(file);
  const content = Buffer.from(files.get(name) as Buffer);
  let at = Math.floor(content.length / 2);
  while (content[at] === 10 || content[at] === 34) at += 1;
  content[at] = content[at] === 0x61 ? 0x62 : 0x61;
  files.set(name, content);
  if (fixDigest) {
    const manifest = JSON.parse((files.get(PACK_FILES.manifest) as Buffer).toString('utf8'));
    const { createHash } = await import('node:crypto');
    manifest.files[name] = createHash('sha256').update(content).digest('hex');
    files.set(PACK_FILES.manifest, Buffer.from(JSON.stringify(manifest)));
  }
  return writeZip(files);
}

for (const dialect of DIALECTS) {
  describe(`evidence packs (${dialect})`, () => {
    let store: Store;
    let signer: LedgerSigner;
    let systemId: string;
    let orgPack: string;
    let systemPack: string;
    let person: { id: string; email: string };

    before(async () => {
      store = await createTestStore(dialect);
      person = await cliUser(store, ['admin'], ['read']);
      signer = testSigner();
      systemId = (await buildSystem(store)).id;
      await store.transact((trx) => makeCheckpoint(trx, { signer }), { sequenced: true });
      await buildSystem(store);
      orgPack = await writePack(store, signer, { kind: 'organisation' });
      systemPack = await writePack(store, signer, { kind: 'system', id: systemId });
    });
    after(() => store.close());

    test('a whole-organisation pack verifies offline with the ledger key, and records its generation', async () => {
      const result = await verifyEvidencePack(orgPack, { verifierKey: signer.verifierKey });
      assert.equal(result.ok, true, JSON.stringify(result.problem));
      // The tree recomputed in a worker thread, as for a large pack, gives the same answer.
      const inWorker = await verifyEvidencePack(orgPack, { verifierKey: signer.verifierKey, treeWorkerFromBytes: 0 });
      assert.deepEqual(inWorker, result);
      const files = await readZip(orgPack);
      const manifest = JSON.parse((files.get(PACK_FILES.manifest) as Buffer).toString('utf8'));
      assert.equal(manifest.proofs, 'complete');
      assert.equal(result.events, manifest.checkpoint.treeSize);
      const events = (files.get(PACK_FILES.events) as Buffer).toString('utf8').trim().split('\n');
      assert.ok(events.some((l) => JSON.parse(l).type === 'evidence_pack.generated' && JSON.parse(l).data.packId === manifest.packId));
      assert.equal((files.get(PACK_FILES.consistency) as Buffer).toString('utf8').trim().split('\n').length >= 1, true);
      assert.ok((files.get(PACK_FILES.report) as Buffer).subarray(0, 5).toString() === '%PDF-');
    });

    test('a system pack holds only that system’s events and records, each with its audit path, and verifies', async () => {
      const result = await verifyEvidencePack(systemPack, { verifierKey: signer.verifierKey });
      assert.equal(result.ok, true, JSON.stringify(result.problem));
      const files = await readZip(systemPack);
      const events = (files.get(PACK_FILES.events) as Buffer)
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.ok(events.every((e) => e.type === 'evidence_pack.generated' || JSON.stringify(e).includes(systemId)));
      const systems = JSON.parse((files.get('records/systems.json') as Buffer).toString('utf8'));
      assert.deepEqual(
        systems.map((s: { id: string }) => s.id),
        [systemId],
      );
      assert.equal(files.has('records/appeals.json'), false);
    });

    test('the pack holds no password, token or session hash and no e-mail in its records', async () => {
      const files = await readZip(orgPack);
      // Not vacuous: the person is there, by id and name.
      assert.ok((files.get('records/people.json') as Buffer).toString('utf8').includes(person.id));
      for (const [name, content] of files) {
        if (!name.startsWith('records/')) continue;
        const text = content.toString('utf8');
        assert.equal(text.includes(person.email), false, `${name} holds an e-mail address`);
        for (const secret of ['password_hash', 'secret_hash', 'id_hash', 'email', 'appellant_contact']) {
          assert.equal(text.includes(secret), false, `${name} holds ${secret}`);
        }
      }
    });

    test('changing one byte of any file fails verification, naming that file', async () => {
      for (const pack of [orgPack, systemPack]) {
        const files = await readZip(pack);
        for (const name of files.keys()) {
          // An empty file (a CSV of no rows) has no byte to change.
          if (name === PACK_FILES.manifest || files.get(name)?.length === 0) continue;
          const result = await verifyEvidencePack(await tamper(pack, name), { verifierKey: signer.verifierKey });
          assert.equal(result.ok, false, `${name} changed but the pack verified`);
          assert.equal(result.problem?.file, name, `${name}: ${JSON.stringify(result.problem)}`);
        }
      }
    });

    test('a changed event with its digest recomputed fails on the seq (audit paths) or on the root (whole tree)', async () => {
      const bySeq = await verifyEvidencePack(await tamper(systemPack, PACK_FILES.events, { fixDigest: true }), {
        verifierKey: signer.verifierKey,
      });
      assert.equal(bySeq.ok, false);
      assert.equal(bySeq.problem?.file, PACK_FILES.events);
      assert.equal(typeof bySeq.problem?.seq, 'number', JSON.stringify(bySeq.problem));
      const byRoot = await verifyEvidencePack(await tamper(orgPack, PACK_FILES.events, { fixDigest: true }), {
        verifierKey: signer.verifierKey,
      });
      assert.equal(byRoot.ok, false);
      assert.equal(byRoot.problem?.file, PACK_FILES.events);
      assert.match(byRoot.problem?.reason ?? '', /root|JSON/);
      const changed = await tamper(orgPack, PACK_FILES.events, { fixDigest: true });
      const byRootInWorker = await verifyEvidencePack(changed, { verifierKey: signer.verifierKey, treeWorkerFromBytes: 0 });
      assert.deepEqual(byRootInWorker.problem, (await verifyEvidencePack(changed, { verifierKey: signer.verifierKey })).problem);
    });

    test('a changed manifest fails verification', async () => {
      const files = await readZip(orgPack);
      const manifest = JSON.parse((files.get(PACK_FILES.manifest) as Buffer).toString('utf8'));
      manifest.scope = { kind: 'system', id: systemId };
      files.set(PACK_FILES.manifest, Buffer.from(JSON.stringify(manifest)));
      const result = await verifyEvidencePack(await writeZip(files), { verifierKey: signer.verifierKey });
      assert.equal(result.ok, false);
      assert.equal(result.problem?.file, PACK_FILES.manifest);
      const byByte = await verifyEvidencePack(await tamper(orgPack, PACK_FILES.manifest), { verifierKey: signer.verifierKey });
      assert.equal(byByte.ok, false);
    });

    test('another key fails verification on the checkpoint', async () => {
      const result = await verifyEvidencePack(orgPack, { verifierKey: testSigner().verifierKey });
      assert.equal(result.ok, false);
      assert.equal(result.problem?.file, PACK_FILES.manifest);
      assert.match(result.problem?.reason ?? '', /checkpoint/);
    });

    test('the OSCAL assessment results and POA&M validate against the NIST 1.0.6 schemas', async () => {
      const files = await readZip(orgPack);
      for (const [doc, schemaFile] of [
        [PACK_FILES.assessmentResults, 'oscal_assessment-results_schema-1.0.6.json'],
        [PACK_FILES.poam, 'oscal_poam_schema-1.0.6.json'],
      ] as const) {
        const ajv = new Ajv({ allErrors: false, strict: false });
        addFormats.default(ajv);
        const schema = JSON.parse(fs.readFileSync(new URL(`./oscal-schemas/${schemaFile}`, import.meta.url), 'utf8'));
        const validate = ajv.compile(schema);
        const value = JSON.parse((files.get(doc) as Buffer).toString('utf8'));
        assert.equal(validate(value), true, `${doc}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
        // The schema is not vacuous: a document without its uuid is refused.
        const broken = structuredClone(value);
        delete broken[Object.keys(broken)[0]].uuid;
        assert.equal(validate(broken), false);
      }
    });

    test('a scope naming no system, control or framework is refused, and nothing is written', async () => {
      const sizeBefore = await ledgerSize(store);
      const refused = [
        [{ kind: 'system', id: '00000000-0000-4000-8000-000000000000' }, 'not_found'],
        [{ kind: 'control', id: 'iso42001:Z.99' }, 'validation_failed'],
        [{ kind: 'framework', id: 'sox' }, 'validation_failed'],
        [{ kind: 'organisation', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'validation_failed'],
      ] as const;
      for (const [scope, code] of refused) {
        await assert.rejects(generateEvidencePack(store, { ctx: systemContext('pack-test'), scope, signer }), { code });
      }
      assert.equal(await ledgerSize(store), sizeBefore);
    });

    test('a control or framework pack holds the events evidencing it and verifies', async () => {
      for (const scope of [
        { kind: 'control', id: 'iso42001:A.9.4' },
        { kind: 'framework', id: 'eu-ai-act' },
      ] as const) {
        const file = await writePack(store, signer, scope);
        const result = await verifyEvidencePack(file, { verifierKey: signer.verifierKey });
        assert.equal(result.ok, true, JSON.stringify(result.problem));
        assert.ok(result.events >= 2);
      }
    });
  });
}
