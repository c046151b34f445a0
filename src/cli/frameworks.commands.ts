// Framework catalog commands: the same catalogs and presenters as GET /api/v1/frameworks; they
// read data shipped with the code and need no database.
import type { Command } from 'commander';
import { listControls, listFrameworks } from '../frameworks/frameworks.service.js';
import { printJson, printTable } from './cli-context.js';

export function registerFrameworksCommands(program: Command): void {
  const frameworks = program.command('frameworks').description('the framework catalogs: ISO/IEC 42001, NIST AI RMF, EU AI Act, GDPR, DORA');
  frameworks
    .command('list')
    .description('every framework catalog, with how many entries it holds')
    .option('--json', 'print JSON (as GET /api/v1/frameworks)')
    .action((opts: { json?: boolean }) => {
      const items = listFrameworks();
      if (opts.json) return printJson({ items });
      printTable(
        ['ID', 'FRAMEWORK', 'VERSION', 'ENTRIES'],
        items.map((f) => [f.id, f.short, f.version, String(f.controlCount)]),
      );
    });

  frameworks
    .command('controls <id>')
    .description(
      "a framework's controls (clauses, controls, categories, articles), with crosswalk links and evidencing events under --json",
    )
    .option('--kind <kind>', 'only entries of this kind, e.g. control, subcategory, article')
    .option('--json', 'print JSON (every entry, as the items of GET /api/v1/frameworks/{id}/controls)')
    .action((id: string, opts: { kind?: string; json?: boolean }) => {
      const { items } = listControls({ framework: id, kind: opts.kind, limit: Number.MAX_SAFE_INTEGER, offset: 0 });
      if (opts.json) return printJson(items);
      printTable(
        ['CONTROL', 'KIND', 'TITLE'],
        items.map((c) => [c.controlId, c.kind, c.title]),
      );
    });
}
