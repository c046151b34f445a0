// The ledger's Ed25519 checkpoint signing key. It lives outside the database (a file with mode
// 0600, created at first start, or PEM in the environment) so that someone who can rewrite the
// database still cannot sign a checkpoint over the rewritten history.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { encodeVerifierKey, type NoteSigner, type NoteVerifier } from './checkpoint-note.js';

export interface LedgerSigner {
  /** The key name in signature lines: the checkpoint origin. */
  name: string;
  signer: NoteSigner;
  verifier: NoteVerifier;
  /** sumdb verifier key string: `<name>+<hex key id>+<base64 key>`. */
  verifierKey: string;
  publicKeyPem: string;
}

function fromPrivateKey(name: string, privateKey: KeyObject): LedgerSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the ledger signing key must be an Ed25519 key');
  const publicKey = createPublicKey(privateKey);
  return {
    name,
    signer: { name, privateKey },
    verifier: { name, publicKey },
    verifierKey: encodeVerifierKey(name, publicKey),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

function readKeyFile(file: string): KeyObject {
  const mode = fs.statSync(file).mode & 0o777;
  // Like ssh with its private keys: a key others can read may already be someone else's.
  if ((mode & 0o077) !== 0) {
    throw new Error(`ledger signing key ${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`);
  }
  return createPrivateKey(fs.readFileSync(file, 'utf8'));
}

/** Writes a new key; `wx` makes a concurrent first start of a second server read the winner's key. */
function createKeyFile(file: string): KeyObject {
  const { privateKey } = generateKeyPairSync('ed25519');
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  try {
    fs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    return privateKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file);
    throw error;
  }
}

/**
 * The signing key from config.signingKey (PEM) or config.signingKeyFile. With `create`, a missing
 * file is generated (server start); without it (verification), a missing key is an error, since a
 * new key could not vouch for old checkpoints anyway.
 */
export function loadSigningKey(
  config: Pick<Config, 'signingKey' | 'signingKeyFile' | 'ledgerOrigin'>,
  { create = true } = {},
): LedgerSigner {
  if (config.signingKey) return fromPrivateKey(config.ledgerOrigin, createPrivateKey(config.signingKey));
  if (fs.existsSync(config.signingKeyFile)) return fromPrivateKey(config.ledgerOrigin, readKeyFile(config.signingKeyFile));
  if (!create) throw new Error(`no ledger signing key at ${config.signingKeyFile}`);
  return fromPrivateKey(config.ledgerOrigin, createKeyFile(config.signingKeyFile));
}
