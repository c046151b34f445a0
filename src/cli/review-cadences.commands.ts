// `proofline reviews cadences|cadence set|calendar-token`: how often each mandatory review recurs for
// a system (its own cadence or its tier's default) and each person's calendar feed token, through
// the same use cases and request schemas as /api/v1/systems/{id}/review-cadences and
// /api/v1/reviews/calendar-token.
import { type Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { MANDATORY_REVIEW_KINDS } from '../governance/review-schedule.js';
import { type Cadence, setReviewCadence, systemCadences } from '../modules/reviews/review-cadences.service.js';
import { issueCalendarToken } from '../modules/reviews/review-feed.service.js';
import { CadenceBody } from '../modules/reviews/reviews.schema.js';
import { schemaCheck } from '../server/schema-check.js';
import { cliContext, printJson, printTable, withStore } from './cli-context.js';

const checkCadence = schemaCheck(CadenceBody, { part: 'body', rename: { months: '--months', rationale: '--reason' } });

function printCadences(cadences: Cadence[]): void {
  printTable(
    ['KIND', 'MONTHS', 'SOURCE', 'RATIONALE'],
    cadences.map((c) => [c.kind, c.months === null ? 'not scheduled' : String(c.months), c.source, c.rationale ?? '']),
  );
}

/** `--months N`, or `default` (the API's null): back to the tier's default. Anything else goes to
 * the schema as written, which names it. */
function parseMonths(value: string): unknown {
  if (value === 'default') return null;
  return /^\d+$/.test(value) ? Number(value) : value;
}

export function registerReviewCadenceCommands(reviews: Command): void {
  reviews
    .command('cadences')
    .description("a system's review cadence per mandatory kind (its own, or the default for its risk tier)")
    .requiredOption('--system <id>', 'the AI system')
    .option('--json', 'print JSON')
    .action(async (opts: { system: string; json?: boolean }) => {
      const cadences = await withStore((store) => systemCadences(store.db, opts.system, loadConfig().reviewCadences));
      if (opts.json) return printJson({ systemId: opts.system, cadences });
      printCadences(cadences);
    });

  reviews
    .command('cadence')
    .description("a system's own review cadence")
    .command('set')
    .description("set a system's own cadence for one review kind (0 stops scheduling it; `default` returns to the tier's default)")
    .requiredOption('--system <id>', 'the AI system')
    .addOption(new Option('--kind <kind>', 'the review kind').choices(MANDATORY_REVIEW_KINDS).makeOptionMandatory())
    .requiredOption('--months <n>', 'months between reviews (0..60), or default')
    .requiredOption('--reason <text>', 'why, recorded in the ledger')
    .option('--as <email>', 'an admin or governance lead (default: the system actor)')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        system: string;
        kind: (typeof MANDATORY_REVIEW_KINDS)[number];
        months: string;
        reason: string;
        as?: string;
        json?: boolean;
      }) => {
        const body = checkCadence({ months: parseMonths(opts.months), rationale: opts.reason });
        const cadences = await withStore(async (store) => {
          const ctx = await cliContext(store, opts.as);
          return store.transact((trx) =>
            setReviewCadence(trx, {
              ctx,
              systemId: opts.system,
              kind: opts.kind,
              months: body.months,
              rationale: body.rationale,
              defaults: loadConfig().reviewCadences,
            }),
          );
        });
        if (opts.json) return printJson({ systemId: opts.system, cadences });
        printCadences(cadences);
      },
    );

  reviews
    .command('calendar-token')
    .description("issue (or rotate) a person's calendar feed token: printed once, with the feed's address")
    .option('--as <email>', 'whose calendar (a person: the system actor has none)')
    .option('--json', 'print JSON')
    .action(async (opts: { as: string; json?: boolean }) => {
      const { token, createdAt } = await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        return store.transact((trx) => issueCalendarToken(trx, { ctx }));
      });
      // The same address the API answers with.
      const url = `${loadConfig().publicBaseUrl.replace(/\/$/, '')}/api/v1/reviews/calendar.ics?token=${encodeURIComponent(token)}`;
      if (opts.json) return printJson({ token, url, createdAt });
      process.stdout.write(`${token}\n${url}\n(shown once: a new token replaces the old one)\n`);
    });
}
