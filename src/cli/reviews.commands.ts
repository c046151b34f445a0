// `proofline reviews list|show|sign|complete` (and, from review-cadences.commands.ts, cadences and
// the calendar token): the reviews a person prepares or signs, one review
// with its snapshot digest, a signature (the person's own: --token-stdin or --password-stdin), and
// completion; the same use cases, workflows and request schemas as the API.
import { type Command, Option } from 'commander';
import { getReview, listReviews } from '../modules/reviews/reviews.repository.js';
import { ReviewQuery, SignBody } from '../modules/reviews/reviews.schema.js';
import { REVIEW_STATUSES } from '../modules/reviews/reviews.tables.js';
import { schemaCheck } from '../server/schema-check.js';
import { finishReview, signOffReview } from '../workflows/review-sign-off.js';
import {
  cliContext,
  PASSWORD_STDIN_HELP,
  printJson,
  printTable,
  signingContext,
  TOKEN_STDIN_HELP,
  userByEmail,
  withStore,
} from './cli-context.js';
import { registerReviewCadenceCommands } from './review-cadences.commands.js';

const checkListQuery = schemaCheck(ReviewQuery, { part: 'querystring', rename: { systemId: '--system' } });
const checkSign = schemaCheck(SignBody, { part: 'body', rename: { snapshotDigest: '--digest', rationale: '--rationale' } });

type View = Awaited<ReturnType<typeof getReview>>;

function printReview(view: View): void {
  const lines = [
    `${view.kind} review ${view.id}: ${view.status}${view.overdue ? ' OVERDUE' : ''} (version ${view.version})`,
    `  system ${view.systemId}, period ${view.periodFrom} to ${view.periodTo}, due ${view.dueAt}`,
    `  preparer ${view.preparerName ?? view.preparerId}; reviewer ${view.reviewerName ?? view.reviewerId}; second signatory ${view.secondSignatoryName ?? view.secondSignatoryId}`,
    `  snapshot SHA-256 ${view.snapshotDigest ?? '-'}`,
    ...(view.decision ? [`  decision ${view.decision}${view.actions.length ? `; actions: ${view.actions.join('; ')}` : ''}`] : []),
    ...view.signatures.map((s) => `  signed by ${s.signerName ?? s.signerId} (${s.role}) at ${s.signedAt}: ${s.rationale}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerReviewsCommands(program: Command): void {
  const reviews = program.command('reviews').description('scheduled reviews with double sign-off');

  reviews
    .command('list')
    .description('list reviews, soonest due first')
    .option('--mine <email>', 'only reviews this person prepares or signs')
    .option('--system <id>', 'only reviews of this system')
    .addOption(new Option('--status <status>', 'the review status').choices(REVIEW_STATUSES))
    .option('--overdue', 'only mandatory reviews past their due date')
    .option('--limit <n>', 'at most this many (1..500)', '100')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'print the page as JSON')
    .action(
      async (opts: {
        mine?: string;
        system?: string;
        status?: string;
        overdue?: boolean;
        limit: string;
        offset: string;
        json?: boolean;
      }) => {
        const q = checkListQuery({
          ...(opts.system === undefined ? {} : { systemId: opts.system }),
          ...(opts.status === undefined ? {} : { status: opts.status }),
          ...(opts.overdue ? { overdue: true } : {}),
          limit: opts.limit,
          offset: opts.offset,
        });
        const page = await withStore(async (store) =>
          listReviews(store.db, {
            personId: opts.mine === undefined ? undefined : (await userByEmail(store, opts.mine)).id,
            systemId: q.systemId,
            status: q.status,
            overdue: q.overdue,
            limit: q.limit ?? 100,
            offset: q.offset ?? 0,
          }),
        );
        if (opts.json) return printJson(page);
        if (page.items.length > 0)
          printTable(
            ['ID', 'KIND', 'STATUS', 'DUE', 'SYSTEM'],
            page.items.map((r) => [r.id, r.kind, r.status, `${r.dueAt.slice(0, 10)}${r.overdue ? ' OVERDUE' : ''}`, r.systemId]),
          );
        process.stdout.write(`${page.items.length} of ${page.total} review(s)\n`);
      },
    );

  reviews
    .command('show')
    .description('one review: its people, snapshot digest, decision and signatures')
    .argument('<id>', 'the review id')
    .option('--json', 'print JSON (the snapshot included)')
    .action(async (id: string, opts: { json?: boolean }) => {
      const view = await withStore((store) => getReview(store.db, id));
      if (opts.json) return printJson(view);
      printReview(view);
    });

  reviews
    .command('sign')
    .description("sign a review's snapshot digest with a rationale (your own signature; the second one completes the review)")
    .argument('<id>', 'the review id')
    .requiredOption('--as <email>', 'the signatory')
    .option('--token-stdin', TOKEN_STDIN_HELP)
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .requiredOption('--digest <sha256>', 'the snapshot digest you read (reviews show)')
    .requiredOption('--rationale <text>', 'why you sign')
    .option('--json', 'print JSON')
    .action(
      async (
        id: string,
        opts: { as: string; tokenStdin?: boolean; passwordStdin?: boolean; digest: string; rationale: string; json?: boolean },
      ) => {
        const body = checkSign({ snapshotDigest: opts.digest, rationale: opts.rationale });
        const { view, exceptionId } = await withStore(async (store) => {
          const ctx = await signingContext(store, opts);
          const done = await store.transact((trx) => signOffReview(trx, { ctx, reviewId: id, ...body }));
          return { view: await getReview(store.db, id), exceptionId: done.exceptionId };
        });
        if (opts.json) return printJson({ review: view, exceptionId });
        printReview(view);
        if (exceptionId) process.stdout.write(`unsatisfactory: exception ${exceptionId} opened\n`);
      },
    );

  reviews
    .command('complete')
    .description('complete a review whose two signatures are in')
    .argument('<id>', 'the review id')
    .requiredOption('--as <email>', 'who completes it')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { as: string; json?: boolean }) => {
      const { view, exceptionId } = await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        const done = await store.transact((trx) => finishReview(trx, { ctx, reviewId: id }));
        return { view: await getReview(store.db, id), exceptionId: done.exceptionId };
      });
      if (opts.json) return printJson({ review: view, exceptionId });
      printReview(view);
    });

  registerReviewCadenceCommands(reviews);
}
