// `proofline feedback list|give|convert`: feedback about an AI system through the same use cases,
// workflow (feedback-to-exception) and request schemas as /api/v1/feedback.
import { type Command, Option } from 'commander';
import { ConvertBody, FeedbackQuery, NewFeedbackBody } from '../modules/feedback/feedback.schema.js';
import { listFeedback, nameFeedback, submitFeedback } from '../modules/feedback/feedback.service.js';
import { FEEDBACK_CATEGORIES } from '../modules/feedback/feedback.tables.js';
import { schemaCheck } from '../server/schema-check.js';
import { convertFeedbackToException } from '../workflows/feedback-to-exception.js';
import { cliContext, printJson, printTable, userByEmail, withStore } from './cli-context.js';

const checkList = schemaCheck(FeedbackQuery, {
  part: 'querystring',
  rename: { systemId: '--system', category: '--category', converted: '--converted' },
});
const checkGive = schemaCheck(NewFeedbackBody, {
  part: 'body',
  rename: { systemId: '--system', category: '--category', summary: '--summary', details: '--text', decisionId: '--decision' },
});
const checkConvert = schemaCheck(ConvertBody, {
  part: 'body',
  rename: { severity: '--severity', ownerId: '--owner', resolverId: '--resolver' },
});

export function registerFeedbackCommands(program: Command): void {
  const feedback = program.command('feedback').description('feedback and support tickets about AI systems');

  feedback
    .command('list')
    .description('feedback and support tickets, newest first')
    .option('--system <id>', "only this system's feedback")
    .addOption(new Option('--category <category>', 'what it is about').choices(FEEDBACK_CATEGORIES))
    .addOption(new Option('--converted <yes|no>', 'converted into an exception, or not yet').choices(['yes', 'no']))
    .option('--limit <n>', 'at most this many (1..500)', '50')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'print the page as JSON')
    .action(
      async (opts: { system?: string; category?: string; converted?: 'yes' | 'no'; limit: string; offset: string; json?: boolean }) => {
        const {
          limit = 50,
          offset = 0,
          ...filter
        } = checkList({
          ...(opts.system === undefined ? {} : { systemId: opts.system }),
          ...(opts.category === undefined ? {} : { category: opts.category }),
          ...(opts.converted === undefined ? {} : { converted: opts.converted === 'yes' ? 'true' : 'false' }),
          limit: opts.limit,
          offset: opts.offset,
        });
        const page = await withStore((store) => listFeedback(store.db, { ...filter, limit, offset }));
        if (opts.json) return printJson(page);
        if (page.items.length > 0)
          printTable(
            ['ID', 'CATEGORY', 'CHANNEL', 'RECEIVED', 'EXCEPTION', 'SUMMARY'],
            page.items.map((f) => [f.id, f.category, f.channel, f.createdAt, f.exceptionId ?? '-', f.summary]),
          );
        process.stdout.write(`${page.items.length} of ${page.total} feedback item(s)\n`);
      },
    );

  feedback
    .command('give')
    .description('give feedback about an AI system')
    .requiredOption('--system <id>', 'the AI system')
    .addOption(new Option('--category <category>', 'what it is about').choices(FEEDBACK_CATEGORIES).makeOptionMandatory())
    .requiredOption('--summary <text>', 'one line (at most 200 characters)')
    .requiredOption('--text <text>', 'what happened (at most 4000 characters)')
    .option('--decision <id>', "the decision it concerns (the system's own decision id)")
    .option('--as <email>', 'who gives it (default: the system actor)')
    .option('--json', 'print JSON')
    .action(
      async (opts: { system: string; category: string; summary: string; text: string; decision?: string; as?: string; json?: boolean }) => {
        const input = checkGive({
          systemId: opts.system,
          category: opts.category,
          summary: opts.summary,
          details: opts.text,
          ...(opts.decision === undefined ? {} : { decisionId: opts.decision }),
        });
        const view = await withStore(async (store) => {
          const ctx = await cliContext(store, opts.as);
          const given = await store.transact((trx) => submitFeedback(trx, { ctx, input, channel: 'internal' }));
          return (await nameFeedback(store.db, [given]))[0];
        });
        if (opts.json) return printJson(view);
        process.stdout.write(`Recorded feedback ${view.id} (${view.category}) about system ${view.systemId}.\n`);
      },
    );

  feedback
    .command('convert')
    .description('open an exception raised from this feedback, linking both (once)')
    .argument('<id>', 'the feedback id')
    .requiredOption('--as <email>', 'who converts it: the system owner, a governance lead, an admin, a reviewer or an oversight officer')
    .addOption(
      new Option('--severity <severity>', "the exception's severity (default: high for harm and security, else medium)").choices([
        'low',
        'medium',
        'high',
        'critical',
      ]),
    )
    .option('--owner <email>', "the exception's owner (default: the system's accountable owner)")
    .option('--resolver <email>', 'who resolves it (default: you)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { as: string; severity?: string; owner?: string; resolver?: string; json?: boolean }) => {
      const result = await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        const body = checkConvert({
          ...(opts.severity === undefined ? {} : { severity: opts.severity }),
          ...(opts.owner === undefined ? {} : { ownerId: (await userByEmail(store, opts.owner)).id }),
          ...(opts.resolver === undefined ? {} : { resolverId: (await userByEmail(store, opts.resolver)).id }),
        });
        return store.transact((trx) => convertFeedbackToException(trx, { ctx, input: { feedbackId: id, ...body } }));
      });
      if (opts.json) return printJson(result);
      process.stdout.write(`Feedback ${id} converted into exception ${result.exceptionId}.\n`);
    });
}
