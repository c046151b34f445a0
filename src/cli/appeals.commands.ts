// `proofline appeals list|show|resolve`: appeals against AI decisions, through the same queries,
// schemas and use cases as the API. Resolving acts as a named person (--as EMAIL), who must be the
// appeal's owner, a governance lead or an admin (the use case decides).
import { type Command, Option } from 'commander';
import { AppealQuery, ResolveBody } from '../modules/appeals/appeals.schema.js';
import { findAppeal, listAppeals, namedAppeal, presentAppeal, resolveAppeal } from '../modules/appeals/appeals.service.js';
import { APPEAL_OUTCOMES, APPEAL_STATUSES } from '../modules/appeals/appeals.tables.js';
import { schemaCheck } from '../server/schema-check.js';
import { cliContext, collect, printJson, printTable, withStore } from './cli-context.js';

const checkListQuery = schemaCheck(AppealQuery, { part: 'querystring', rename: { systemId: '--system' } });
const checkResolution = schemaCheck(ResolveBody, {
  part: 'body',
  rename: { outcome: '--outcome', explanation: '--explanation', links: '--link', version: '--version' },
});

/** `exception:ID` or `lesson:ID`; the schema checks the type. */
function parseLink(text: string): { type: string; id: string } {
  const at = text.indexOf(':');
  return at < 0 ? { type: '', id: text } : { type: text.slice(0, at), id: text.slice(at + 1) };
}

export function registerAppealsCommands(program: Command): void {
  const appeals = program.command('appeals').description('appeals against AI decisions');

  appeals
    .command('list')
    .description('list appeals, newest first')
    .addOption(new Option('--status <status>', 'the appeal status').choices(APPEAL_STATUSES))
    .option('--system <id>', 'only appeals about this system (the system reference as filed)')
    .option('--overdue', 'only those past their response deadline')
    .option('--limit <n>', 'at most this many (1..500)', '100')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'print the page as JSON')
    .action(async (opts: { status?: string; system?: string; overdue?: boolean; limit: string; offset: string; json?: boolean }) => {
      const q = checkListQuery({
        ...(opts.status === undefined ? {} : { status: opts.status }),
        ...(opts.system === undefined ? {} : { systemId: opts.system }),
        ...(opts.overdue ? { overdue: true } : {}),
        limit: opts.limit,
        offset: opts.offset,
      });
      const page = await withStore((store) =>
        listAppeals(store.db, {
          status: q.status,
          systemRef: q.systemId,
          overdue: q.overdue,
          limit: q.limit ?? 100,
          offset: q.offset ?? 0,
        }),
      );
      if (opts.json) return printJson(page);
      if (page.items.length > 0)
        printTable(
          ['CASE', 'STATUS', 'OUTCOME', 'DUE', 'SYSTEM/DECISION'],
          page.items.map((a) => [
            a.caseNumber,
            a.status,
            a.outcome ?? '-',
            `${a.dueAt.slice(0, 10)}${a.overdue ? ' OVERDUE' : ''}`,
            `${a.systemRef}/${a.decisionRef}`,
          ]),
        );
      process.stdout.write(`${page.items.length} of ${page.total} appeal(s)\n`);
    });

  appeals
    .command('show')
    .description('one appeal, by id or case number')
    .argument('<id>', 'the appeal id or case number (APL-YYYY-NNNNNN)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const view = await withStore(async (store) => {
        const { row, links } = await findAppeal(store.db, id);
        return namedAppeal(store.db, presentAppeal(row, links));
      });
      if (opts.json) return printJson(view);
      const lines = [
        `${view.caseNumber} (${view.id}): ${view.status}${view.outcome ? `, ${view.outcome}` : ''} (version ${view.version})`,
        `  decision ${view.systemRef}/${view.decisionRef}${view.decisionFound ? '' : ' (no recorded decision matches)'}`,
        `  filed ${view.createdAt} via ${view.channel}; due ${view.dueAt}${view.overdue ? ' (OVERDUE)' : ''}; owner ${view.ownerId ?? '-'}`,
        `  statement: ${view.statement}`,
        ...(view.outcomeExplanation ? [`  explanation: ${view.outcomeExplanation}`] : []),
        ...view.links.map((l) => `  linked ${l.type} ${l.id}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  appeals
    .command('resolve')
    .description('close an appeal with an explained outcome (an upheld appeal links the override it caused)')
    .argument('<id>', 'the appeal id or case number')
    .addOption(new Option('--outcome <outcome>', 'the outcome').choices(APPEAL_OUTCOMES).makeOptionMandatory())
    .requiredOption('--explanation <text>', 'the reasons, as they will be told to the appellant')
    .option('--link <type:id>', 'exception:ID or lesson:ID (repeatable)', (value: string, previous: string[] = []) => [
      ...previous,
      ...collect(value),
    ])
    .option('--version <n>', 'the version you read (default: the current one)')
    .requiredOption('--as <email>', 'the person resolving it')
    .option('--json', 'print the appeal as JSON')
    .action(
      async (id: string, opts: { outcome: string; explanation: string; link?: string[]; version?: string; as: string; json?: boolean }) => {
        const view = await withStore(async (store) => {
          const ctx = await cliContext(store, opts.as);
          const version = opts.version === undefined ? (await findAppeal(store.db, id)).row.version : opts.version;
          const body = checkResolution({
            outcome: opts.outcome,
            explanation: opts.explanation,
            links: (opts.link ?? []).map(parseLink),
            version: typeof version === 'string' ? Number(version) : version,
          });
          return store.transact((trx) =>
            resolveAppeal(trx, {
              ctx,
              appealId: id,
              version: body.version ?? 0,
              resolution: { outcome: body.outcome, explanation: body.explanation, links: body.links ?? [] },
            }),
          );
        });
        if (opts.json) return printJson(view);
        process.stdout.write(`${view.caseNumber}: resolved, ${view.outcome} (version ${view.version})\n`);
      },
    );
}
