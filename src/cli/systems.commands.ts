// `proofline systems import|export|history`: the inventory in bulk, through the same use cases as the
// API, and one system's history from the ledger.
import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { createStore } from '../db/store.js';
import { systemHistory } from '../ledger/history.js';
import { parseHistoryKinds } from '../ledger/system-index.js';
import { exportSystems, type ImportFormat, type ImportReport, importSystems, parseImport } from '../modules/systems/systems.import.js';
import { getSystem } from '../modules/systems/systems.repository.js';
import { cliContext, printJson, printTable, progressReporter, withStore } from './cli-context.js';

const formatOption = () => new Option('--format <format>', 'csv or json (default: from the file name, else csv)').choices(['csv', 'json']);

function guessFormat(file: string, given: string | undefined): ImportFormat {
  if (given) return given as ImportFormat;
  return path.extname(file).toLowerCase() === '.json' ? 'json' : 'csv';
}

function printReport(report: ImportReport, dryRun: boolean, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  for (const row of report.invalid) process.stdout.write(`line ${row.line}: ${row.errors.join('; ')}\n`);
  if (report.invalid.length > 0)
    process.stdout.write(`${report.invalid.length} invalid row(s), ${report.valid} valid; nothing was imported.\n`);
  else if (dryRun) process.stdout.write(`Dry run: ${report.valid} valid row(s); nothing was imported.\n`);
  else process.stdout.write(`Imported ${report.imported} system(s).\n`);
}

export function registerSystemsCommands(program: Command): void {
  const systems = program.command('systems').description('the AI system inventory');

  systems
    .command('import')
    .description('import systems from a CSV or JSON file: every row is checked first; any invalid row means nothing is written')
    .argument('<file>', 'the file to import')
    .option('--dry-run', 'check every row and report, write nothing')
    .addOption(formatOption())
    .option('--as <email>', 'act as this user (default: the system actor, for admin maintenance)')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, opts: { dryRun?: boolean; format?: string; as?: string; json?: boolean }) => {
      const rows = parseImport(fs.readFileSync(file, 'utf8'), guessFormat(file, opts.format));
      const store = createStore(loadConfig().database);
      const progress = progressReporter(opts.dryRun ? 'checking' : 'importing');
      try {
        const ctx = await cliContext(store, opts.as);
        const report = await store.transact((trx) =>
          importSystems(trx, { ctx, rows, dryRun: opts.dryRun ?? false, onProgress: (done, total) => progress.update(done, total) }),
        );
        progress.stop();
        printReport(report, opts.dryRun ?? false, opts.json ?? false);
        if (report.invalid.length > 0) process.exitCode = 1;
      } finally {
        progress.stop();
        await store.close();
      }
    });

  systems
    .command('export')
    .description('export every system in the import format')
    .addOption(formatOption())
    .option('--output <file>', 'write to this file instead of standard output')
    .action(async (opts: { format?: string; output?: string }) => {
      const format = opts.output ? guessFormat(opts.output, opts.format) : ((opts.format as ImportFormat | undefined) ?? 'csv');
      const store = createStore(loadConfig().database);
      try {
        const text = await exportSystems(store.db, format);
        if (opts.output) fs.writeFileSync(opts.output, text);
        else process.stdout.write(text);
      } finally {
        await store.close();
      }
    });

  systems
    .command('history')
    .description(
      "one system's history from the ledger, oldest first: changes, approvals and signatures, exceptions, incidents, oversight, decisions, appeals, model versions, change records",
    )
    .argument('<id>', 'the system id')
    .option(
      '--kind <kinds>',
      'only these kinds, comma-separated (system, approval, exception, incident, oversight, decision, appeal, model_version, data_source, change_record)',
    )
    .option('--from <time>', 'from this server time (inclusive)')
    .option('--to <time>', 'until this server time (exclusive)')
    .option('--newest-first', 'newest first')
    .option('--limit <n>', 'entries per page', '100')
    .option('--cursor <seq>', 'the next cursor printed by the page before')
    .option('--json', 'print the page as JSON')
    .action(
      async (
        id: string,
        opts: { kind?: string; from?: string; to?: string; newestFirst?: boolean; limit: string; cursor?: string; json?: boolean },
      ) =>
        withStore(async (store) => {
          await getSystem(store.db, id);
          const page = await systemHistory(store.db, {
            systemId: id,
            kinds: parseHistoryKinds(opts.kind),
            from: opts.from,
            to: opts.to,
            order: opts.newestFirst ? 'desc' : 'asc',
            cursor: opts.cursor === undefined ? undefined : Number(opts.cursor),
            limit: Number(opts.limit),
            offset: 0,
          });
          if (opts.json) return printJson(page);
          printTable(
            ['SEQ', 'RECORDED AT', 'KIND', 'BY', 'WHAT', 'WHY'],
            page.items.map((e) => [String(e.seq), e.recordedAt, e.kind, e.actor.name ?? e.actor.kind, e.summary, e.rationale ?? '']),
          );
          if (page.nextCursor !== null) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
        }),
    );
}
