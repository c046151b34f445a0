// `proofline systems add|list|show|import|export|history`: the inventory, through the same use cases,
// queries and request schemas as the API, and one system's history from the ledger.
import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { createStore, type Store } from '../db/store.js';
import { systemHistory } from '../ledger/history.js';
import { parseHistoryKinds } from '../ledger/system-index.js';
import { exportSystems, type ImportFormat, type ImportReport, importSystems, parseImport } from '../modules/systems/systems.import.js';
import { presentPhaseOwner, presentSystem } from '../modules/systems/systems.presenter.js';
import { getSystem, listPhaseOwners, listSystems } from '../modules/systems/systems.repository.js';
import { CreateSystemBody, ExportQuery, ListSystemsQuery } from '../modules/systems/systems.schema.js';
import { createSystem } from '../modules/systems/systems.service.js';
import { AI_TYPES, DEPLOYMENT_KINDS, EU_RISK_TIERS, SYSTEM_STATUSES } from '../modules/systems/systems.tables.js';
import { schemaCheck } from '../server/schema-check.js';
import { cliContext, printJson, printTable, progressReporter, userByEmail, withStore } from './cli-context.js';
import { registerFairnessCommands } from './fairness.commands.js';
import { registerFeatureCommands } from './features.commands.js';

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

/** The API's own request schemas; a bad field is named by its option. */
const checkNewSystem = schemaCheck(CreateSystemBody, {
  part: 'body',
  rename: {
    intendedUse: '--intended-use',
    aiType: '--ai-type',
    deploymentKind: '--deployment-kind',
    euRiskTier: '--risk-tier',
    accountableOwnerId: '--owner',
  },
});
const FILTER_OPTIONS = {
  euRiskTier: '--tier',
  deploymentKind: '--kind',
  aiType: '--ai-type',
  ownerId: '--owner',
  withoutOwner: '--without-owner',
  untriagedShadow: '--shadow',
  reviewOverdue: '--review-overdue',
};
const checkListQuery = schemaCheck(ListSystemsQuery, { part: 'querystring', rename: FILTER_OPTIONS });
const checkExportQuery = schemaCheck(ExportQuery, { part: 'querystring', rename: FILTER_OPTIONS });

/** The list's filters as options, shared by `systems list` and `systems export`. */
interface FilterOptions {
  status?: string;
  tier?: string;
  owner?: string;
  kind?: string;
  aiType?: string;
  withoutOwner?: boolean;
  shadow?: boolean;
  reviewOverdue?: boolean;
  tag?: string;
  q?: string;
}

function addFilterOptions(command: Command): Command {
  return command
    .addOption(new Option('--status <status>', 'lifecycle status').choices(SYSTEM_STATUSES))
    .addOption(new Option('--tier <tier>', 'EU risk tier').choices(EU_RISK_TIERS))
    .option('--owner <email|id>', 'accountable owner')
    .addOption(new Option('--kind <kind>', 'deployment kind').choices(DEPLOYMENT_KINDS))
    .addOption(new Option('--ai-type <type>', 'kind of AI').choices(AI_TYPES))
    .option('--without-owner', 'only systems without an accountable owner')
    .option('--shadow', 'only shadow systems not triaged yet')
    .option('--review-overdue', 'only systems with a mandatory review open past its due date')
    .option('--tag <tag>', 'only systems with this exact tag')
    .option('--q <text>', 'name contains this text');
}

/** The options given, named as the API's query names them (an owner's email resolved to its id). */
async function filterQuery(store: Store, opts: FilterOptions): Promise<Record<string, unknown>> {
  return {
    ...(opts.status === undefined ? {} : { status: opts.status }),
    ...(opts.tier === undefined ? {} : { euRiskTier: opts.tier }),
    ...(opts.owner === undefined ? {} : { ownerId: await ownerId(store, opts.owner) }),
    ...(opts.kind === undefined ? {} : { deploymentKind: opts.kind }),
    ...(opts.aiType === undefined ? {} : { aiType: opts.aiType }),
    ...(opts.withoutOwner ? { withoutOwner: true } : {}),
    ...(opts.shadow ? { untriagedShadow: true } : {}),
    ...(opts.reviewOverdue ? { reviewOverdue: true } : {}),
    ...(opts.tag === undefined ? {} : { tag: opts.tag }),
    ...(opts.q === undefined ? {} : { q: opts.q }),
  };
}

/** An owner given as an email (or as a user id, as the API takes it). */
async function ownerId(store: Store, owner: string | undefined): Promise<string | undefined> {
  if (owner === undefined || !owner.includes('@')) return owner;
  return (await userByEmail(store, owner)).id;
}

export function registerSystemsCommands(program: Command): void {
  const systems = program.command('systems').description('the AI system inventory');
  registerFairnessCommands(systems);
  registerFeatureCommands(systems);

  systems
    .command('add')
    .description('register an AI system (as the API does: proposed, or shadow for a contributor)')
    .requiredOption('--name <text>', 'the name')
    .requiredOption('--purpose <text>', 'what it is for')
    .requiredOption('--intended-use <text>', 'its intended use')
    .addOption(new Option('--ai-type <type>', 'the kind of AI').choices(AI_TYPES).default('other'))
    .addOption(new Option('--deployment-kind <kind>', 'how it is deployed').choices(DEPLOYMENT_KINDS).default('internal'))
    .option('--owner <email>', 'the accountable owner (gets the system_owner role for it)')
    .addOption(new Option('--risk-tier <tier>', 'the EU AI Act risk tier').choices(EU_RISK_TIERS))
    .option('--description <text>', 'a longer description')
    .requiredOption('--as <email>', 'the person registering it')
    .option('--json', 'print the system as JSON')
    .action(
      async (opts: {
        name: string;
        purpose: string;
        intendedUse: string;
        aiType: string;
        deploymentKind: string;
        owner?: string;
        riskTier?: string;
        description?: string;
        as: string;
        json?: boolean;
      }) => {
        const view = await withStore(async (store) => {
          const input = checkNewSystem({
            name: opts.name,
            purpose: opts.purpose,
            intendedUse: opts.intendedUse,
            aiType: opts.aiType,
            deploymentKind: opts.deploymentKind,
            ...(opts.description === undefined ? {} : { description: opts.description }),
            ...(opts.riskTier === undefined ? {} : { euRiskTier: opts.riskTier }),
            ...(opts.owner === undefined ? {} : { accountableOwnerId: await ownerId(store, opts.owner) }),
          });
          const ctx = await cliContext(store, opts.as);
          return presentSystem(await store.transact((trx) => createSystem(trx, { ctx, input })));
        });
        if (opts.json) return printJson(view);
        process.stdout.write(`${view.id}  ${view.name}: ${view.status}, EU tier ${view.euRiskTier} (version ${view.version})\n`);
      },
    );

  addFilterOptions(systems.command('list').description('list systems by name, with the API filters'))
    .option('--limit <n>', 'at most this many (1..500)', '50')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'print the page as JSON')
    .action(async (opts: FilterOptions & { limit: string; offset: string; json?: boolean }) => {
      const page = await withStore(async (store) => {
        const query = checkListQuery({ ...(await filterQuery(store, opts)), limit: opts.limit, offset: opts.offset });
        return listSystems(store.db, { ...query, limit: query.limit ?? 50, offset: query.offset ?? 0 });
      });
      if (opts.json) return printJson(page);
      if (page.items.length === 0) process.stdout.write('No systems.\n');
      else
        printTable(
          ['ID', 'NAME', 'STATUS', 'EU TIER', 'KIND', 'OWNER'],
          page.items.map((v) => [v.id, v.name, v.status, v.euRiskTier, v.deploymentKind, v.accountableOwnerId ?? '-']),
        );
      if (page.total > page.offset + page.items.length) {
        process.stdout.write(`(${page.items.length} of ${page.total}; next: --offset ${page.offset + page.items.length})\n`);
      }
    });

  systems
    .command('show')
    .description('one system with its phase owners')
    .argument('<id>', 'the system id')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const detail = await withStore(async (store) => {
        const row = await getSystem(store.db, id);
        const phaseOwners = await listPhaseOwners(store.db, row.id);
        return { ...presentSystem(row), phaseOwners: phaseOwners.map(presentPhaseOwner) };
      });
      if (opts.json) return printJson(detail);
      const lines = [
        `${detail.id}: ${detail.name} (version ${detail.version})`,
        `  status ${detail.status}; EU tier ${detail.euRiskTier}; org tier ${detail.orgRiskTier ?? '-'}; ${detail.aiType}, ${detail.deploymentKind}`,
        `  purpose: ${detail.purpose}`,
        `  intended use: ${detail.intendedUse}`,
        `  accountable owner: ${detail.accountableOwnerId ?? '-'}`,
        ...detail.phaseOwners.map((p) => `  phase ${p.phase}: ${p.userId}`),
        `  created ${detail.createdAt} by ${detail.createdBy ?? 'proofline'}; updated ${detail.updatedAt}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

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

  addFilterOptions(
    systems.command('export').description('export the systems in the import format: every one, or those the filters (as in list) match'),
  )
    .addOption(formatOption())
    .option('--output <file>', 'write to this file instead of standard output')
    .action(async (opts: FilterOptions & { format?: string; output?: string }) => {
      const format = opts.output ? guessFormat(opts.output, opts.format) : ((opts.format as ImportFormat | undefined) ?? 'csv');
      const store = createStore(loadConfig().database);
      try {
        const { format: _format, ...filter } = checkExportQuery({ ...(await filterQuery(store, opts)), format });
        const text = await exportSystems(store.db, format, filter);
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
