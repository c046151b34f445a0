// `proofline approvals queue|decide`: an approver's queue and decisions, through the same use cases
// as the API. The decision signs the content digest shown (or the one given with --digest). Approving
// and rejecting are the approver's own signature: --as names them, and their own API token or
// password on standard input proves it is them.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createStore } from '../db/store.js';
import { AppError } from '../errors.js';
import { loadRequest } from '../governance/requests.repository.js';
import { listQueue } from '../modules/approvals/queue.js';
import { decideApproval } from '../workflows/decide-approval.js';
import { cliContext, PASSWORD_STDIN_HELP, signingContext, TOKEN_STDIN_HELP } from './cli-context.js';

const hours = (seconds: number) => `${(seconds / 3600).toFixed(1)} h`;

export function registerApprovalsCommands(program: Command): void {
  const approvals = program.command('approvals').description('approval requests: your queue and your decisions');

  approvals
    .command('queue')
    .description('what waits for your decision, oldest first')
    .requiredOption('--as <email>', 'the approver')
    .option('--json', 'print JSON')
    .action(async (opts: { as: string; json?: boolean }) => {
      const store = createStore(loadConfig().database);
      try {
        const ctx = await cliContext(store, opts.as);
        const queue = await listQueue(store.db, {
          approver: { userId: ctx.actor.userId ?? '', roles: ctx.actor.roles, systemRoles: ctx.actor.systemRoles },
        });
        if (opts.json) {
          console.log(JSON.stringify(queue, null, 2));
          return;
        }
        console.log(
          `${queue.counts.total} waiting (${queue.counts.renewalsDue} renewals due), oldest ${hours(queue.counts.oldestAgeSeconds)}`,
        );
        for (const item of queue.items) {
          const behalf = item.onBehalfOf ? ` on behalf of ${item.onBehalfOf}` : '';
          const renewal = item.renewalDue ? ' [renewal due]' : '';
          console.log(`${item.requestId}  ${item.kind}  ${hours(item.ageSeconds)}  ${item.stepName}${behalf}${renewal}  ${item.title}`);
        }
      } finally {
        await store.close();
      }
    });

  approvals
    .command('decide <id>')
    .description('approve or reject a request (four-eyes rules apply) with your own token or password')
    .requiredOption('--as <email>', 'the approver')
    .option('--token-stdin', TOKEN_STDIN_HELP)
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .option('--approve', 'approve')
    .option('--reject', 'reject')
    .option('--request-changes', 'send back for changes')
    .requiredOption('--rationale <text>', 'why')
    .option('--digest <sha256>', 'the content digest you reviewed (default: the current one, printed)')
    .option('--valid-until <iso>', 'the approval expires at this time')
    .action(
      async (
        id: string,
        opts: {
          as: string;
          tokenStdin?: boolean;
          passwordStdin?: boolean;
          approve?: boolean;
          reject?: boolean;
          requestChanges?: boolean;
          rationale: string;
          digest?: string;
          validUntil?: string;
        },
      ) => {
        const chosen = [opts.approve && 'approve', opts.reject && 'reject', opts.requestChanges && 'request_changes'].filter(
          Boolean,
        ) as Array<'approve' | 'reject' | 'request_changes'>;
        if (chosen.length !== 1) throw new AppError('validation_failed', 'give exactly one of --approve, --reject, --request-changes');
        const config = loadConfig();
        const store = createStore(config.database);
        try {
          const ctx = await signingContext(store, opts);
          const digest = opts.digest ?? (await loadRequest(store.db, id)).content_digest;
          const request = await store.transact((trx) =>
            decideApproval(trx, {
              ctx,
              requestId: id,
              input: { decision: chosen[0], rationale: opts.rationale, contentDigest: digest, validUntil: opts.validUntil },
            }),
          );
          console.log(`${chosen[0]} recorded on ${id} (content ${digest}); request is ${request.status}`);
        } finally {
          await store.close();
        }
      },
    );
}
