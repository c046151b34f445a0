// Ledger commands: checkpoints, proofs and verification. Like the server, they call the ledger's
// services directly on the configured database.
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { type NoteVerifier, parseVerifierKey } from '../ledger/checkpoint-note.js';
import { makeCheckpoint } from '../ledger/checkpoints.service.js';
import { proveConsistency, proveInclusion } from '../ledger/proofs.service.js';
import { loadSigningKey } from '../ledger/signing-key.js';
import { type VerifyReport, verifyLedger } from '../ledger/verify.service.js';
import { progressReporter, withStore } from './cli-context.js';

const wholeNumber = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, got "${value}"`);
  return Number(value);
};

/** The key to verify with: a verifier key given on the command line (an auditor has no private
 * key), or the public half of the configured signing key. */
function verifierFrom(keyOption: string | undefined): NoteVerifier {
  if (keyOption === undefined) return loadSigningKey(loadConfig(), { create: false }).verifier;
  const text = fs.existsSync(keyOption) ? fs.readFileSync(keyOption, 'utf8').trim() : keyOption;
  const parsed = parseVerifierKey(text);
  if (!parsed.ok) throw new Error(`--key: ${parsed.reason}`);
  return parsed.value;
}

function printReport(report: VerifyReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (report.ok) {
    process.stdout.write(
      `ledger intact: ${report.events} events, ${report.checkpointsChecked} checkpoints checked, root ${report.rootHash}\n`,
    );
  }
  if (report.problem) {
    const where = report.problem.seq === null ? '' : `first bad sequence number ${report.problem.seq}: `;
    process.stderr.write(`proofline: ledger NOT intact: ${where}${report.problem.message}\n`);
    process.exitCode = 1;
  }
}

export function registerLedgerCommands(program: Command): void {
  const checkpoint = program
    .command('checkpoint')
    .description('sign a checkpoint of the ledger now (unless the latest already covers every event) and print it')
    .action(async () => {
      const signer = loadSigningKey(loadConfig());
      const made = await withStore((store) => store.transact((trx) => makeCheckpoint(trx, { signer })));
      process.stdout.write(made.checkpoint.note);
    });

  checkpoint
    .command('save <file>')
    .description('write the latest signed checkpoint to FILE (making one if the ledger grew), to verify against later')
    .action(async (file: string) => {
      const signer = loadSigningKey(loadConfig());
      const made = await withStore((store) => store.transact((trx) => makeCheckpoint(trx, { signer })));
      fs.writeFileSync(file, made.checkpoint.note);
      process.stdout.write(`saved checkpoint of ${made.checkpoint.treeSize} events to ${file}\n`);
    });

  const proof = program.command('proof').description('Merkle proofs from the ledger');
  proof
    .command('inclusion <seq>')
    .description('prove that event SEQ is in the tree of SIZE events (default: the latest checkpoint)')
    .option('--size <n>', 'tree size', wholeNumber('--size'))
    .option('--json', 'print JSON')
    .action(async (seq: string, opts: { size?: number; json?: boolean }) => {
      const result = await withStore((store) => proveInclusion(store.db, { seq: wholeNumber('SEQ')(seq), treeSize: opts.size }));
      if (opts.json) return void process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      const lines = [
        `event ${result.seq} (${result.eventId}) in the tree of ${result.treeSize} events`,
        `leaf hash: ${result.leafHash}`,
        `root hash: ${result.rootHash}`,
        ...result.proof.map((hash, i) => `proof[${i}]: ${hash}`),
        result.checkpoint ? `checkpoint:\n${result.checkpoint}` : 'no signed checkpoint has this size',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  proof
    .command('consistency <size1> <size2>')
    .description('prove that the tree of SIZE1 events is a prefix of the tree of SIZE2 events')
    .option('--json', 'print JSON')
    .action(async (size1: string, size2: string, opts: { json?: boolean }) => {
      const result = await withStore((store) =>
        proveConsistency(store.db, { size1: wholeNumber('SIZE1')(size1), size2: wholeNumber('SIZE2')(size2) }),
      );
      if (opts.json) return void process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      const lines = [
        `tree of ${result.size1} events (root ${result.root1}) is a prefix of the tree of ${result.size2} events (root ${result.root2})`,
        ...result.proof.map((hash, i) => `proof[${i}]: ${hash}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  program
    .command('verify')
    .description('recompute every leaf, the tree and the checkpoint signatures; exit 1 naming the first bad sequence number')
    .option('--against <file>', 'a checkpoint saved earlier: check that the ledger still extends it')
    .option('--key <verifierKey>', 'verifier key (or a file holding it) instead of the configured signing key')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { against?: string; key?: string; json?: boolean }) => {
      const verifier = verifierFrom(opts.key);
      const against = opts.against === undefined ? undefined : fs.readFileSync(opts.against, 'utf8');
      const progress = progressReporter('verified');
      const report = await withStore((store) =>
        verifyLedger(store, { verifier, against, onProgress: (done, total) => progress.update(done, total) }),
      );
      progress.stop();
      printReport(report, opts.json === true);
    });
}
