// `proofline systems features [set]`: which features a system's decision records carry (numeric or
// categorical), read or declared with a reason, through the same use case and request schema as
// /api/v1/systems/{id}/features.
import type { Command } from 'commander';
import { FeatureDeclarationBody } from '../modules/decisions/features.schema.js';
import { declareFeatures, type FeatureDeclaration, getFeatureDeclaration } from '../modules/decisions/features.service.js';
import { schemaCheck } from '../server/schema-check.js';
import { printTable } from './cli-context.js';
import { registerDeclarationCommand } from './declaration-command.js';

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

export function registerFeatureCommands(systems: Command): void {
  registerDeclarationCommand(systems, {
    command: 'features',
    description: "a system's declared features (watched for drift); `set` replaces them from a JSON file, with a reason",
    key: 'features',
    fileHelp: 'a JSON array of { name, kind, categories? }',
    reasonHelp: 'why these features are watched',
    check: checkDeclaration,
    read: (store, systemId) => getFeatureDeclaration(store.db, systemId),
    declare: declareFeatures,
    print: printDeclaration,
  });
}
