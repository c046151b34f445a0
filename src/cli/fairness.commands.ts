// `proofline systems fairness-attributes [set]`: which group attributes (and values) a system's
// outcomes may carry for fairness measurement, read or declared with a reason, through the same use
// case and request schema as /api/v1/systems/{id}/fairness-attributes.
import type { Command } from 'commander';
import {
  declareFairnessAttributes,
  type FairnessDeclaration,
  getFairnessDeclaration,
} from '../modules/monitoring/fairness-declarations.service.js';
import { FairnessDeclarationBody } from '../modules/monitoring/monitoring.schema.js';
import { schemaCheck } from '../server/schema-check.js';
import { printTable } from './cli-context.js';
import { registerDeclarationCommand } from './declaration-command.js';

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

export function registerFairnessCommands(systems: Command): void {
  registerDeclarationCommand(systems, {
    command: 'fairness-attributes',
    description: "a system's declared fairness attributes; `set` replaces them from a JSON file, with a reason",
    key: 'attributes',
    fileHelp: 'a JSON array of { name, values, fairnessOnly }',
    reasonHelp: 'why these attributes are collected (GDPR Art. 9)',
    check: checkDeclaration,
    read: (store, systemId) => getFairnessDeclaration(store.db, systemId),
    declare: declareFairnessAttributes,
    print: printDeclaration,
  });
}
