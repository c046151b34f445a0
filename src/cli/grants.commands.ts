// `proofline grants add|list|revoke`: external auditors' access through the same use cases and
// request schemas as /api/v1/auditor-grants. Grants and revocations are ledger events by the system
// actor, or by `--as EMAIL` (an admin).
import type { Command } from 'commander';
import { getGrant, listGrants } from '../modules/auditor-grants/auditor-grants.repository.js';
import {
  CreateGrantBody,
  type GrantListQuery,
  GrantListQuery as GrantListSchema,
} from '../modules/auditor-grants/auditor-grants.schema.js';
import { createAuditorGrant, revokeAuditorGrant } from '../modules/auditor-grants/auditor-grants.service.js';
import { schemaCheck } from '../server/schema-check.js';
import { cliContext, printJson, printTable, readStdin, userByEmail, withStore } from './cli-context.js';

const AS_HELP = 'act as this admin in the ledger (default: the system actor)';
const checkGrant = schemaCheck(CreateGrantBody, {
  part: 'body',
  rename: {
    systemId: '--system',
    framework: '--framework',
    periodFrom: '--from',
    periodTo: '--to',
    expiresAt: '--expires',
    rationale: '--rationale',
  },
});
const checkList = schemaCheck(GrantListSchema, { part: 'querystring', rename: { status: '--status' } });

interface AddOptions {
  name?: string;
  passwordStdin?: boolean;
  system?: string;
  framework?: string;
  from?: string;
  to?: string;
  expires: string;
  rationale: string;
  as?: string;
  json?: boolean;
}

export function registerGrantsCommands(program: Command): void {
  const grants = program.command('grants').description("external auditors' read-only access (auditor grants)");

  grants
    .command('add')
    .description('grant an external auditor read-only access to a scope until a date (with --name, the auditor account is created)')
    .argument('<email>', "the auditor's email: an account holding external_auditor alone, or a new one with --name")
    .requiredOption('--expires <time>', 'when the access ends (ISO 8601), at most 180 days ahead')
    .requiredOption('--rationale <text>', 'why, recorded in the ledger')
    .option('--name <name>', 'create the auditor account with this display name')
    .option('--password-stdin', "the new account's first password, from standard input")
    .option('--system <id>', 'only this AI system')
    .option('--framework <id>', 'only this framework (iso42001, nist-ai-rmf, eu-ai-act, gdpr, dora)')
    .option('--from <time>', 'records from this time on')
    .option('--to <time>', 'records before this time')
    .option('--as <email>', AS_HELP)
    .option('--json', 'print JSON')
    .action(async (email: string, opts: AddOptions) => {
      const password = opts.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
      await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        const auditor = opts.name
          ? { newAuditor: { email, displayName: opts.name, ...(password ? { password } : {}) } }
          : { auditorId: (await userByEmail(store, email)).id };
        const body = checkGrant({
          ...auditor,
          ...(opts.system ? { systemId: opts.system } : {}),
          ...(opts.framework ? { framework: opts.framework } : {}),
          ...(opts.from ? { periodFrom: opts.from } : {}),
          ...(opts.to ? { periodTo: opts.to } : {}),
          expiresAt: opts.expires,
          rationale: opts.rationale,
        });
        const id = await store.transact((trx) => createAuditorGrant(trx, { ctx, grant: body }));
        const grant = await getGrant(store.db, id);
        if (opts.json) return printJson(grant);
        console.log(`Granted ${grant.auditorEmail} read-only access until ${grant.expiresAt} (grant ${grant.id}).`);
      });
    });

  grants
    .command('list')
    .description('list auditor grants, newest first')
    .option('--status <status>', 'live, expired or revoked')
    .option('--auditor <email>', "one auditor's grants")
    .option('--json', 'print JSON')
    .action(async (opts: { status?: string; auditor?: string; json?: boolean }) => {
      await withStore(async (store) => {
        const auditorId = opts.auditor ? (await userByEmail(store, opts.auditor)).id : undefined;
        const query: GrantListQuery = checkList({ ...(opts.status ? { status: opts.status } : {}), ...(auditorId ? { auditorId } : {}) });
        const items = [];
        for (let offset = 0; ; ) {
          const page = await listGrants(store.db, { ...query, limit: 500, offset });
          items.push(...page.items);
          offset += page.items.length;
          if (page.items.length === 0 || offset >= page.total) break;
        }
        if (opts.json) return printJson(items);
        printTable(
          ['AUDITOR', 'STATUS', 'SYSTEM', 'FRAMEWORK', 'EXPIRES', 'ID'],
          items.map((g) => [g.auditorEmail, g.status, g.systemId ?? 'all', g.framework ?? 'all', g.expiresAt, g.id]),
        );
      });
    });

  grants
    .command('revoke')
    .description("revoke an auditor grant: the auditor's next request is refused")
    .argument('<id>', 'the grant id')
    .requiredOption('--rationale <text>', 'why, recorded in the ledger')
    .option('--as <email>', AS_HELP)
    .action(async (id: string, opts: { rationale: string; as?: string }) => {
      await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        await store.transact((trx) => revokeAuditorGrant(trx, { ctx, grantId: id, rationale: opts.rationale }));
        console.log(`Revoked grant ${id}.`);
      });
    });
}
