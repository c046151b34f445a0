// `proofline systems features [set]`: which features a system's decision records carry (numeric or
// categorical), read or declared with a reason, through the same use case and request schema as
// /api/v1/systems/{id}/features.
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { FeatureDeclarationBody } from '../modules/decisions/features.schema.js';
import { declareFeatures, type FeatureDeclaration, getFeatureDeclaration } from '../modules/decisions/features.service.js';
import { schemaCheck } from '../server/schema-check.js';
import { cliContext, printJson, printTable, readJsonFile, withStore } from './cli-context.js';

const checkDeclaration = schemaCheck(FeatureDeclarationBody, {
  part: 'body',
  rename: { features: '--file', rationale: '--reason', version: '--expect-version' },
});

function printDeclaration(d: FeatureDeclaration): void {
  if (d.version === 0) {
    process.stdout.write(`system ${d.systemId} declares no features: its decision records carry none (drift reads the score)\n`);
    return;
  }
  printTable(
    ['FEATURE', 'KIND', 'CATEGORIES'],
    d.features.map((f) => [f.name, f.kind, f.categories?.join(', ') ?? (f.kind === 'categorical' ? '(any)' : '')]),
  );
  process.stdout.write(`version ${d.version}, ${d.updatedAt}: ${d.rationale ?? ''}\n`);
}

interface Options {
  system: string;
  file?: string;
  reason?: string;
  expectVersion?: string;
  as?: string;
  json?: boolean;
}

export function registerFeatureCommands(systems: Command): void {
  systems
    .command('features')
    .description("a system's declared features (watched for drift); `set` replaces them from a JSON file, with a reason")
    .argument('[action]', 'set: declare the features in --file')
    .requiredOption('--system <id>', 'the AI system')
    .option('--file <path>', 'set: a JSON array of { name, kind, categories? } (or { features: [...] })')
    .option('--reason <text>', 'set: why these features are watched, recorded in the ledger')
    .option('--expect-version <n>', 'set: the version read; a stale one is refused')
    .option('--as <email>', 'set: an admin, governance lead or the system owner (default: the system actor)')
    .option('--json', 'print JSON')
    .action(async (action: string | undefined, opts: Options) => {
      if (action === undefined) {
        const declaration = await withStore((store) => getFeatureDeclaration(store.db, opts.system));
        if (opts.json) return printJson(declaration);
        return printDeclaration(declaration);
      }
      if (action !== 'set') throw new AppError('validation_failed', `unknown action ${action}: only set`, { field: 'action' });
      if (opts.file === undefined) throw new AppError('validation_failed', '--file is required to set', { field: '--file' });
      const read = readJsonFile(opts.file);
      const features = Array.isArray(read) ? read : (read as { features?: unknown } | null)?.features;
      const body = checkDeclaration({
        features,
        rationale: opts.reason,
        ...(opts.expectVersion === undefined
          ? {}
          : { version: /^\d+$/.test(opts.expectVersion) ? Number(opts.expectVersion) : opts.expectVersion }),
      });
      const declared = await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        return store.transact((trx) =>
          declareFeatures(trx, {
            ctx,
            systemId: opts.system,
            features: body.features,
            rationale: body.rationale,
            expectedVersion: body.version,
          }),
        );
      });
      if (opts.json) return printJson(declared);
      printDeclaration(declared);
    });
}
