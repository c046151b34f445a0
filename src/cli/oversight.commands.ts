// `proofline oversight pause|restrict|resume`: the same use cases as the HTTP API, acting as a named
// person (--as EMAIL) who must be on the system's roster. Resuming a high-risk system
// takes two officers, each with their own token or password on standard input.
import type { Command } from 'commander';
import { pauseSystem, restrictSystem, resumeSystem } from '../modules/oversight/oversight.service.js';
import { type CredentialOptions, cliContext, PASSWORD_STDIN_HELP, signingContext, TOKEN_STDIN_HELP, withStore } from './cli-context.js';

function parseConditions(opts: { conditions?: string; humanReviewAll?: boolean }): Record<string, unknown> {
  let conditions: Record<string, unknown> = {};
  if (opts.conditions) {
    try {
      conditions = JSON.parse(opts.conditions) as Record<string, unknown>;
    } catch {
      // Not JSON: a free-text condition.
      conditions = { text: opts.conditions };
    }
  }
  if (opts.humanReviewAll) conditions.humanReviewAll = true;
  return conditions;
}

export function registerOversightCommands(program: Command): void {
  const oversight = program.command('oversight').description('pause, restrict or resume an AI system (roster officers only)');
  const action = (name: 'pause' | 'restrict' | 'resume', description: string) =>
    oversight
      .command(`${name} <systemId>`)
      .description(description)
      .requiredOption('--as <email>', 'the oversight officer acting')
      .requiredOption('--reason <text>', 'why');
  action('pause', 'pause the system: production services stop acting on its outputs').action(
    async (systemId: string, opts: { as: string; reason: string }) => {
      const view = await withStore(async (store) =>
        store.transact(async (trx) =>
          pauseSystem(trx, {
            ctx: await cliContext(store, opts.as),
            systemId,
            reason: opts.reason,
          }),
        ),
      );
      console.log(`${systemId}: ${view.state} (version ${view.version})`);
    },
  );
  action('restrict', 'restrict the system to conditions')
    .option('--conditions <json|text>', 'conditions as a JSON object, or free text')
    .option('--human-review-all', 'a human reviews every output')
    .action(async (systemId: string, opts: { as: string; reason: string; conditions?: string; humanReviewAll?: boolean }) => {
      const conditions = parseConditions(opts);
      const view = await withStore(async (store) =>
        store.transact(async (trx) =>
          restrictSystem(trx, {
            ctx: await cliContext(store, opts.as),
            systemId,
            reason: opts.reason,
            conditions,
          }),
        ),
      );
      console.log(`${systemId}: ${view.state} ${JSON.stringify(view.conditions)} (version ${view.version})`);
    });
  action('resume', 'resume the system (a high-risk system needs a second officer to confirm, each with their own credentials)')
    .option('--token-stdin', TOKEN_STDIN_HELP)
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .action(async (systemId: string, opts: CredentialOptions & { reason: string }) => {
      const result = await withStore(async (store) => {
        const ctx = await signingContext(store, opts);
        return store.transact((trx) => resumeSystem(trx, { ctx, systemId, reason: opts.reason }));
      });
      console.log(
        result.pendingConfirmation
          ? `${systemId}: resume requested; a second oversight officer with resume authority must confirm it`
          : `${systemId}: ${result.runtime.state} (version ${result.runtime.version})`,
      );
    });
}
