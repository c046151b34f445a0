// Evidence packs on the command line: `proofline evidence export` (the same use case as
// POST /api/v1/evidence-packs, on the configured database and signing key) and `proofline pack
// verify` (offline: no database, no configuration, only the zip and the ledger's verifier key).
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { AppError } from '../errors.js';
import type { PackScope } from '../evidence/pack-format.js';
import { verifyEvidencePack } from '../evidence/pack-verify.js';
import { generateEvidencePack } from '../evidence/pack-writer.js';
import { loadSigningKey } from '../ledger/signing-key.js';
import { cliContext, withStore } from './cli-context.js';

const KINDS = ['organisation', 'system', 'control', 'framework'] as const;

/** `organisation`, `system:ID`, `control:iso42001:A.9.2`, `framework:eu-ai-act`. */
export function parseScope(text: string, period: { from?: string; to?: string }): PackScope {
  const at = text.indexOf(':');
  const kind = (at === -1 ? text : text.slice(0, at)) as PackScope['kind'];
  if (!KINDS.includes(kind)) {
    throw new AppError('validation_failed', `--scope: ${text} is not organisation, system:ID, control:ID or framework:ID`, {
      field: '--scope',
    });
  }
  return { kind, ...(at === -1 ? {} : { id: text.slice(at + 1) }), ...period };
}

export function registerEvidenceCommands(program: Command): void {
  program
    .command('evidence')
    .description('evidence packs: a zip an auditor verifies offline')
    .command('export')
    .description('write an evidence pack (records its generation in the ledger and signs a checkpoint)')
    .requiredOption('--scope <scope>', 'organisation | system:ID | control:ID | framework:ID')
    .option('--from <time>', 'only events recorded at or after this ISO time')
    .option('--to <time>', 'only events recorded before this ISO time')
    .requiredOption('-o, --output <file>', 'the zip to write')
    .option('--as <email>', 'the person asking (recorded in the pack and the ledger)')
    .action(async (opts: { scope: string; from?: string; to?: string; output: string; as?: string }) => {
      const scope = parseScope(opts.scope, { ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}) });
      const signer = loadSigningKey(loadConfig(), { create: false });
      await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        const pack = await generateEvidencePack(store, { ctx, scope, signer });
        await pipeline(pack.stream, fs.createWriteStream(opts.output));
        process.stdout.write(`evidence pack ${pack.packId} written to ${opts.output}\n`);
      });
    });

  program
    .command('pack')
    .description('evidence packs, offline')
    .command('verify <file>')
    .description('check an evidence pack without server or database; exit 1 naming the first file or seq that fails')
    .requiredOption(
      '--key <verifierKey>',
      'the ledger verifier key (or a file holding it), e.g. ledger/public-key.txt from a trusted source',
    )
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { key: string; json?: boolean }) => {
      const verifierKey = fs.existsSync(opts.key) ? fs.readFileSync(opts.key, 'utf8') : opts.key;
      const result = await verifyEvidencePack(file, { verifierKey });
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (result.ok)
        process.stdout.write(`pack intact: ${result.events} events proved against the signed checkpoint of ${result.treeSize}\n`);
      if (result.problem) {
        const where = result.problem.seq === undefined ? result.problem.file : `${result.problem.file} seq ${result.problem.seq}`;
        process.stderr.write(`proofline: pack NOT intact: ${where}: ${result.problem.reason}\n`);
        process.exitCode = 1;
      }
    });
}
