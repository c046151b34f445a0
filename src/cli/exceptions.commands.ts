// `proofline exceptions ...`: list and show exceptions, move one along, run the escalation job.
// The same service functions as the HTTP API; writes act as a named user (--as EMAIL).
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { escalateOverdue } from '../modules/exceptions/escalation.service.js';
import { listExceptions, loadExceptionDetail, presentExceptionsNamed } from '../modules/exceptions/exceptions.repository.js';
import { transitionException } from '../modules/exceptions/exceptions.service.js';
import { EXCEPTION_STATUSES, type ExceptionStatus } from '../modules/exceptions/exceptions.tables.js';
import { cliContext, withStore } from './cli-context.js';

export function registerExceptionsCommands(program: Command): void {
  const exceptions = program.command('exceptions').description('exceptions, deviations and incidents');

  exceptions
    .command('list')
    .description('list exceptions, soonest due first')
    .option('--overdue', 'only open exceptions past their due date')
    .option('--status <status>', `one of ${EXCEPTION_STATUSES.join(', ')}`)
    .option('--system <id>', 'only this AI system')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(async (opts: { overdue?: boolean; status?: string; system?: string; limit: string; json?: boolean }) => {
      if (opts.status && !EXCEPTION_STATUSES.includes(opts.status as ExceptionStatus)) {
        throw new AppError('validation_failed', `--status must be one of ${EXCEPTION_STATUSES.join(', ')}`);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AppError('validation_failed', '--limit must be 1..1000');
      const { items, ...page } = await withStore(async (store) => {
        const rows = await listExceptions(store.db, {
          overdue: opts.overdue,
          status: opts.status as ExceptionStatus | undefined,
          systemId: opts.system,
          limit,
          offset: 0,
        });
        return { ...rows, items: await presentExceptionsNamed(store.db, rows.items) };
      });
      if (opts.json) {
        console.log(JSON.stringify({ ...page, items }, null, 2));
        return;
      }
      if (items.length === 0) console.log('No exceptions.');
      for (const e of items) {
        console.log(
          `${e.id}  ${e.status.padEnd(13)} ${e.severity.padEnd(8)} due ${e.dueAt}${e.overdue ? ' OVERDUE' : ''}  ${e.kind}: ${e.title}`,
        );
      }
      if (page.total > items.length) console.log(`(${items.length} of ${page.total})`);
    });

  exceptions
    .command('show <id>')
    .description('one exception with its corrective actions, lessons and follow-ups')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const detail = await withStore((store) => loadExceptionDetail(store.db, id));
      if (opts.json) {
        console.log(JSON.stringify(detail, null, 2));
        return;
      }
      console.log(`${detail.kind} ${detail.id}: ${detail.title}`);
      console.log(`  status ${detail.status}, severity ${detail.severity}, due ${detail.dueAt}${detail.overdue ? ' (OVERDUE)' : ''}`);
      console.log(`  system ${detail.systemId}; owner ${detail.ownerId}; resolver ${detail.resolverId}`);
      console.log(`  raised by ${detail.raisedBy.type} ${detail.raisedBy.ref} at ${detail.detectedAt}`);
      if (detail.rootCause)
        console.log(`  root cause: [${detail.rootCause.category}] ${detail.rootCause.text}${detail.recurring ? ' (RECURRING)' : ''}`);
      for (const a of detail.correctiveActions) console.log(`  action ${a.status}: ${a.description} (due ${a.dueAt})`);
      if (detail.verification) console.log(`  verified by ${detail.verification.by} at ${detail.verification.at}`);
      for (const l of detail.lessons) console.log(`  lesson: ${l.text}`);
      for (const f of detail.followUps) console.log(`  follow-up ${f.status}: ${f.kind} ${f.description} (due ${f.dueAt})`);
    });

  exceptions
    .command('transition <id>')
    .description('move an exception to its next status, with a reason')
    .requiredOption('--to <status>', `one of ${EXCEPTION_STATUSES.join(', ')}`)
    .requiredOption('--reason <text>', 'why')
    .requiredOption('--as <email>', 'the person acting')
    .option('--duplicate-of <id>', 'the original, when marking a duplicate')
    .action(async (id: string, opts: { to: string; reason: string; as: string; duplicateOf?: string }) => {
      if (!EXCEPTION_STATUSES.includes(opts.to as ExceptionStatus))
        throw new AppError('validation_failed', `--to must be one of ${EXCEPTION_STATUSES.join(', ')}`);
      const view = await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        return store.transact((trx) =>
          transitionException(trx, {
            ctx,
            input: { exceptionId: id, to: opts.to as ExceptionStatus, reason: opts.reason, duplicateOf: opts.duplicateOf },
          }),
        );
      });
      console.log(`${view.id} is now ${view.status} (version ${view.version})`);
    });

  exceptions
    .command('escalate')
    .description('run the overdue escalation once (as Proofline itself)')
    .option('--now <time>', 'pretend it is this ISO time')
    .action(async (opts: { now?: string }) => {
      const now = opts.now ? new Date(opts.now) : new Date();
      if (Number.isNaN(now.getTime())) throw new AppError('validation_failed', '--now must be an ISO time');
      const { escalated } = await withStore((store) => escalateOverdue(store, { now }));
      console.log(`Escalated ${escalated} item level(s).`);
    });
}
