// Ledger commands: events, checkpoints, proofs and verification. Like the server, they call the
// ledger's services directly on the configured database.
import { once } from 'node:events';
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { AppError } from '../errors.js';
import { streamEvidence, withControls } from '../frameworks/evidence.js';
import { type NoteVerifier, parseVerifierKey } from '../ledger/checkpoint-note.js';
import { makeCheckpoint } from '../ledger/checkpoints.service.js';
import { followLedger } from '../ledger/follow.js';
import { EventQuery } from '../ledger/ledger.schema.js';
import { proveConsistency, proveInclusion } from '../ledger/proofs.service.js';
import { loadSigningKey } from '../ledger/signing-key.js';
import { recordVerification } from '../ledger/verifications.js';
import { type VerifyReport, verifyLedger } from '../ledger/verify.service.js';
import { schemaCheck } from '../server/schema-check.js';
import { progressReporter, userByEmail, withStore } from './cli-context.js';

const checkEventQuery = schemaCheck(EventQuery, {
  part: 'querystring',
  rename: {
    subjectType: '--subject-type',
    subjectId: '--subject',
    actorId: '--actor',
    systemId: '--system',
    afterSeq: '--after-seq',
    control: '--control',
  },
});

interface EventsOptions {
  type?: string;
  control?: string;
  subject?: string;
  subjectType?: string;
  actor?: string;
  system?: string;
  from?: string;
  to?: string;
  afterSeq?: string;
  limit?: string;
}

/** Writes one line, waiting when standard output is full (a slow pipe never grows memory). */
async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
}

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
  const ledger = program.command('ledger').description('the ledger: its events');
  ledger
    .command('events')
    .description('every event matching the filters, oldest first, as JSON Lines (one event per line, as the API lists them)')
    .option('--type <type>', 'event type, e.g. system.created')
    .option('--control <id>', 'only events that evidence this control, e.g. iso42001:A.9.2, gdpr:art-33')
    .option('--subject <id>', 'subject id')
    .option('--subject-type <type>', 'subject type, e.g. ai_system, exception, appeal')
    .option('--actor <email|id>', 'who acted')
    .option('--system <id>', 'events concerning this AI system')
    .option('--from <time>', 'from this server time (inclusive)')
    .option('--to <time>', 'until this server time (exclusive)')
    .option('--after-seq <n>', 'only events after this sequence number (resume where a previous run stopped)')
    .option('--limit <n>', 'at most this many events (default: all)')
    .option('--json', 'JSON Lines (the default and only format)')
    .action(async (opts: EventsOptions) => {
      const limit = opts.limit === undefined ? Number.POSITIVE_INFINITY : Number(opts.limit);
      if (opts.limit !== undefined && !(/^\d+$/.test(opts.limit) && limit >= 1)) {
        throw new AppError('validation_failed', '--limit must be a whole number of at least 1', { field: '--limit' });
      }
      await withStore(async (store) => {
        const actorId = opts.actor?.includes('@') ? (await userByEmail(store, opts.actor)).id : opts.actor;
        const {
          limit: _limit,
          offset: _offset,
          ...filter
        } = checkEventQuery({
          ...(opts.type === undefined ? {} : { type: opts.type }),
          ...(opts.control === undefined ? {} : { control: opts.control }),
          ...(opts.subject === undefined ? {} : { subjectId: opts.subject }),
          ...(opts.subjectType === undefined ? {} : { subjectType: opts.subjectType }),
          ...(actorId === undefined ? {} : { actorId }),
          ...(opts.system === undefined ? {} : { systemId: opts.system }),
          ...(opts.from === undefined ? {} : { from: opts.from }),
          ...(opts.to === undefined ? {} : { to: opts.to }),
          ...(opts.afterSeq === undefined ? {} : { afterSeq: opts.afterSeq }),
        });
        let written = 0;
        for await (const event of streamEvidence(store.db, filter, { pageSize: Math.min(limit, 1000) })) {
          await writeLine(JSON.stringify(event));
          written += 1;
          if (written >= limit) return;
        }
      });
    });

  ledger
    .command('stream')
    .description('follow the ledger: every event from --from on, then each new one as it commits, as JSON Lines, until interrupted')
    .option('--from <seq>', 'first sequence number to print (default 0)', wholeNumber('--from'))
    .action(async (opts: { from?: number }) => {
      const stop = new AbortController();
      const interrupt = () => stop.abort();
      process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
      try {
        await withStore(async (store) => {
          const afterSeq = opts.from === undefined || opts.from === 0 ? undefined : opts.from - 1;
          for await (const event of followLedger(store.db, { afterSeq, signal: stop.signal })) {
            await writeLine(JSON.stringify(withControls(event)));
          }
        });
      } finally {
        process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
      }
    });

  const checkpoint = program
    .command('checkpoint')
    .description('sign a checkpoint of the ledger now (unless the latest already covers every event) and print it')
    .action(async () => {
      const signer = loadSigningKey(loadConfig());
      const made = await withStore((store) => store.transact((trx) => makeCheckpoint(trx, { signer }), { sequenced: true }));
      process.stdout.write(made.checkpoint.note);
    });

  checkpoint
    .command('save <file>')
    .description('write the latest signed checkpoint to FILE (making one if the ledger grew), to verify against later')
    .action(async (file: string) => {
      const signer = loadSigningKey(loadConfig());
      const made = await withStore((store) => store.transact((trx) => makeCheckpoint(trx, { signer }), { sequenced: true }));
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
      const report = await withStore(async (store) => {
        const found = await verifyLedger(store, { verifier, against, onProgress: (done, total) => progress.update(done, total) });
        // The dashboard's "last verified": kept beside the ledger, never in it.
        await recordVerification(store, { report: found, verifiedBy: null, channel: 'cli' });
        return found;
      });
      progress.stop();
      printReport(report, opts.json === true);
    });
}
