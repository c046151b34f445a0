// `proofline controls status|gaps`: the same live control status and gap analysis as
// GET /api/v1/controls/status and /gaps, read from the database the CLI is configured for.
import type { Command } from 'commander';
import { evaluateControlStatus, loadControlGaps } from '../modules/controls/controls.service.js';
import { printJson, printTable, withStore } from './cli-context.js';

export function registerControlsCommands(program: Command): void {
  const controls = program.command('controls').description("live status of a framework's controls, and the gaps to close");
  controls
    .command('status')
    .description('each control satisfied / partly / not satisfied / not applicable, for the organisation or one system')
    .requiredOption('--framework <id>', 'iso42001, nist-ai-rmf, eu-ai-act, gdpr or dora')
    .option('--system <id>', 'one AI system')
    .option('--json', 'print JSON (as GET /api/v1/controls/status)')
    .action(async (opts: { framework: string; system?: string; json?: boolean }) => {
      const report = await withStore((store) => evaluateControlStatus(store, { framework: opts.framework, systemId: opts.system }));
      if (opts.json) return printJson(report);
      printTable(
        ['CONTROL', 'STATUS', 'BASIS', 'TITLE'],
        report.items.map((c) => [c.controlId, c.status, c.basis, c.title]),
      );
    });
  controls
    .command('gaps')
    .description('every failing evidence condition: the system, who owns fixing it, and where to act')
    .requiredOption('--framework <id>', 'iso42001, nist-ai-rmf, eu-ai-act, gdpr or dora')
    .option('--system <id>', 'one AI system')
    .option('--json', 'print JSON (as GET /api/v1/controls/gaps)')
    .action(async (opts: { framework: string; system?: string; json?: boolean }) => {
      const report = await withStore((store) => loadControlGaps(store.db, { framework: opts.framework, systemId: opts.system }));
      if (opts.json) return printJson(report);
      printTable(
        ['CONTROL', 'SYSTEM', 'CONDITION', 'OWNER', 'ACT'],
        report.items.map((g) => [g.controlId, g.systemId, g.condition, g.ownerId ?? '-', g.act]),
      );
    });
}
