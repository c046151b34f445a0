// Writes the evidence packs the browser verifier's tests read (web/src/features/evidence/fixtures/):
// made by the server's own pack writer on a throwaway SQLite database, so web/src/features/evidence/
// verify-pack.ts is tested against the real format. Run again when the pack format changes:
//   node --import tsx scripts/web-pack-fixture.ts
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { systemContext } from '../src/context.js';
import type { PackScope } from '../src/evidence/pack-format.js';
import { generateEvidencePack } from '../src/evidence/pack-writer.js';
import { makeCheckpoint } from '../src/ledger/checkpoints.service.js';
import { loadSigningKey } from '../src/ledger/signing-key.js';
import { buildSystem } from '../test/factories.js';
import { createTestStore } from '../test/stores.js';

const out = path.join(import.meta.dirname, '..', 'web', 'src', 'features', 'evidence', 'fixtures');
const keyFor = () =>
  loadSigningKey({
    signingKey: generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    signingKeyFile: '',
    ledgerOrigin: 'proofline.test/ledger',
  });

const store = await createTestStore('sqlite');
try {
  const signer = keyFor();
  const systemId = (await buildSystem(store)).id;
  await store.transact((trx) => makeCheckpoint(trx, { signer }));
  await buildSystem(store);
  const write = async (scope: PackScope, file: string) => {
    const pack = await generateEvidencePack(store, { ctx: systemContext('web-fixture'), scope, signer });
    await pipeline(pack.stream, fs.createWriteStream(path.join(out, file)));
  };
  fs.mkdirSync(out, { recursive: true });
  await write({ kind: 'organisation' }, 'organisation-pack.zip');
  await write({ kind: 'system', id: systemId }, 'system-pack.zip');
  fs.writeFileSync(path.join(out, 'verifier-key.txt'), `${signer.verifierKey}\n`);
  // Another key of the same name: a pack checked with it must fail on the signature.
  fs.writeFileSync(path.join(out, 'other-key.txt'), `${keyFor().verifierKey}\n`);
} finally {
  await store.close();
}
