// `proofline incidents list|show|report`: incidents with their reporting deadlines, and a report
// filed to an authority against one of them. The same queries, schemas and use case as the API.
import { type Command, Option } from 'commander';
import { listExceptions, presentExceptionsNamed } from '../modules/exceptions/exceptions.repository.js';
import { FileReportBody, IncidentListQuery } from '../modules/exceptions/exceptions.schema.js';
import { DEADLINE_KEYS } from '../modules/exceptions/incident-deadlines.js';
import { fileIncidentReport, incidentView } from '../modules/exceptions/incidents.service.js';
import { schemaCheck } from '../server/schema-check.js';
import { cliContext, printJson, printTable, withStore } from './cli-context.js';

const checkListQuery = schemaCheck(IncidentListQuery, { part: 'querystring', rename: { systemId: '--system' } });
const checkReport = schemaCheck(FileReportBody, {
  part: 'body',
  rename: { deadlineKey: '--deadline', filedAt: '--filed-at', reference: '--reference', note: '--note' },
});

export function registerIncidentsCommands(program: Command): void {
  const incidents = program.command('incidents').description('incidents and the reports they owe to authorities');

  incidents
    .command('list')
    .description('list incidents, soonest due first')
    .option('--system <id>', 'only this AI system')
    .option('--open', 'only incidents still open')
    .option('--overdue', 'only open incidents past their due date')
    .option('--limit <n>', 'at most this many (1..500)', '50')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'print the page as JSON')
    .action(async (opts: { system?: string; open?: boolean; overdue?: boolean; limit: string; offset: string; json?: boolean }) => {
      const {
        limit = 50,
        offset = 0,
        ...filter
      } = checkListQuery({
        ...(opts.system === undefined ? {} : { systemId: opts.system }),
        ...(opts.open ? { open: true } : {}),
        ...(opts.overdue ? { overdue: true } : {}),
        limit: opts.limit,
        offset: opts.offset,
      });
      const { items, ...page } = await withStore(async (store) => {
        const rows = await listExceptions(store.db, { ...filter, kind: 'incident', limit, offset });
        return { ...rows, items: await presentExceptionsNamed(store.db, rows.items) };
      });
      if (opts.json) return printJson({ ...page, items });
      if (items.length === 0) process.stdout.write('No incidents.\n');
      else
        printTable(
          ['ID', 'STATUS', 'SEVERITY', 'DUE', 'SYSTEM', 'TITLE'],
          items.map((e) => [e.id, e.status, e.severity, `${e.dueAt}${e.overdue ? ' OVERDUE' : ''}`, e.systemId, e.title]),
        );
      if (page.total > offset + items.length) process.stdout.write(`(${items.length} of ${page.total})\n`);
    });

  incidents
    .command('show')
    .description('one incident with its harm, flags and reporting deadlines')
    .argument('<id>', 'the incident id')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const view = await withStore((store) => incidentView(store.db, id));
      if (opts.json) return printJson(view);
      const lines = [
        `incident ${view.id}: ${view.title}`,
        `  status ${view.status}, severity ${view.severity}, due ${view.dueAt}${view.overdue ? ' (OVERDUE)' : ''}`,
        `  system ${view.systemId}; owner ${view.ownerId}; resolver ${view.resolverId}`,
        `  aware at ${view.incident.awareAt ?? '-'}; harm: ${view.incident.harmCategories.join(', ') || '-'}`,
        ...view.deadlines.map(
          (d) =>
            `  deadline ${d.key}: due ${d.dueAt}, ${d.status}${d.reports.map((r) => `; filed ${r.filedAt} ref ${r.reference}`).join('')}`,
        ),
      ];
      if (view.deadlines.length === 0) lines.push('  no reporting deadline applies');
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  incidents
    .command('report')
    .description('record a report filed to an authority against one of the incident’s deadlines (late filings are flagged)')
    .argument('<id>', 'the incident id')
    .addOption(new Option('--deadline <key>', 'the deadline it answers').choices(DEADLINE_KEYS).makeOptionMandatory())
    .option('--filed-at <iso>', 'when it was filed (default: now)')
    .requiredOption('--reference <text>', "the authority's or our own reference")
    .option('--note <text>', 'a note')
    .requiredOption('--as <email>', 'the person recording it')
    .option('--json', 'print the report as JSON')
    .action(
      async (id: string, opts: { deadline: string; filedAt?: string; reference: string; note?: string; as: string; json?: boolean }) => {
        const body = checkReport({
          deadlineKey: opts.deadline,
          reference: opts.reference,
          ...(opts.filedAt === undefined ? {} : { filedAt: opts.filedAt }),
          ...(opts.note === undefined ? {} : { note: opts.note }),
        });
        const report = await withStore(async (store) => {
          const ctx = await cliContext(store, opts.as);
          return store.transact((trx) => fileIncidentReport(trx, { ctx, input: { exceptionId: id, ...body } }));
        });
        if (opts.json) return printJson(report);
        process.stdout.write(
          `${id}: report ${report.id} for ${report.deadlineKey} filed ${report.filedAt}, ${report.onTime ? 'on time' : 'LATE'}\n`,
        );
      },
    );
}
