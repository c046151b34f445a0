// `proofline systems fairness-attributes [set]`: which group attributes (and values) a system's
// outcomes may carry for fairness measurement, read or declared with a reason, through the same use
// case and request schema as /api/v1/systems/{id}/fairness-attributes.
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import {
  declareFairnessAttributes,
  type FairnessDeclaration,
  getFairnessDeclaration,
} from '../modules/monitoring/fairness-declarations.service.js';
import { FairnessDeclarationBody } from '../modules/monitoring/monitoring.schema.js';
import { schemaCheck } from '../server/schema-check.js';
import { cliContext, printJson, printTable, readJsonFile, withStore } from './cli-context.js';

const checkDeclaration = schemaCheck(FairnessDeclarationBody, {
  part: 'body',
  rename: { attributes: '--file', rationale: '--reason', version: '--expect-version' },
});

function printDeclaration(d: FairnessDeclaration): void {
  if (d.version === 0) {
    process.stdout.write(`system ${d.systemId} declares no fairness attributes: its outcomes carry no group attributes\n`);
    return;
  }
  printTable(
    ['ATTRIBUTE', 'VALUES', 'FAIRNESS ONLY'],
    d.attributes.map((a) => [a.name, a.values.join(', '), a.fairnessOnly ? 'yes' : 'no']),
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

export function registerFairnessCommands(systems: Command): void {
  systems
    .command('fairness-attributes')
    .description("a system's declared fairness attributes; `set` replaces them from a JSON file, with a reason")
    .argument('[action]', 'set: declare the attributes in --file')
    .requiredOption('--system <id>', 'the AI system')
    .option('--file <path>', 'set: a JSON array of { name, values, fairnessOnly } (or { attributes: [...] })')
    .option('--reason <text>', 'set: why these attributes are collected (GDPR Art. 9), recorded in the ledger')
    .option('--expect-version <n>', 'set: the version read; a stale one is refused')
    .option('--as <email>', 'set: an admin, governance lead or the system owner (default: the system actor)')
    .option('--json', 'print JSON')
    .action(async (action: string | undefined, opts: Options) => {
      if (action === undefined) {
        const declaration = await withStore((store) => getFairnessDeclaration(store.db, opts.system));
        if (opts.json) return printJson(declaration);
        return printDeclaration(declaration);
      }
      if (action !== 'set') throw new AppError('validation_failed', `unknown action ${action}: only set`, { field: 'action' });
      if (opts.file === undefined) throw new AppError('validation_failed', '--file is required to set', { field: '--file' });
      const read = readJsonFile(opts.file);
      const attributes = Array.isArray(read) ? read : (read as { attributes?: unknown } | null)?.attributes;
      const body = checkDeclaration({
        attributes,
        rationale: opts.reason,
        ...(opts.expectVersion === undefined
          ? {}
          : { version: /^\d+$/.test(opts.expectVersion) ? Number(opts.expectVersion) : opts.expectVersion }),
      });
      const declared = await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        return store.transact((trx) =>
          declareFairnessAttributes(trx, {
            ctx,
            systemId: opts.system,
            attributes: body.attributes,
            rationale: body.rationale,
            expectedVersion: body.version,
          }),
        );
      });
      if (opts.json) return printJson(declared);
      printDeclaration(declared);
    });
}
