// `proofline user ...` and `proofline token ...`: account maintenance through the same use cases
// as the API. Changes are ledger events by the system actor, or by `--as EMAIL` (an admin).
import type { Command } from 'commander';
import { loadRoles } from '../accounts/actors.js';
import { createApiToken, MAX_TOKEN_DAYS, revokeApiToken } from '../accounts/auth.service.js';
import { listTokens, type TokenRecord, type TokenStatus } from '../accounts/tokens.repository.js';
import { listUsers, type UserFilter } from '../accounts/users.repository.js';
import type { UserView } from '../accounts/users.schema.js';
import { createUser, deactivateUser, setUserRoles } from '../accounts/users.service.js';
import { ROLES, type Role, TOKEN_SCOPES, type TokenScope } from '../context.js';
import { AppError } from '../errors.js';
import { cliContext, collect, printJson, printTable, readStdin, userByEmail, withStore } from './cli-context.js';

const AS_HELP = 'act as this admin in the ledger (default: the system actor)';

function parseRoles(values: string[]): Role[] {
  const unknown = values.filter((r) => !ROLES.includes(r as Role));
  if (unknown.length > 0) throw new AppError('validation_failed', `unknown role ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);
  return values as Role[];
}

function parseScopes(values: string[]): TokenScope[] {
  const unknown = values.filter((s) => !TOKEN_SCOPES.includes(s as TokenScope));
  if (unknown.length > 0 || values.length === 0) {
    throw new AppError('validation_failed', `--scope takes one or more of ${TOKEN_SCOPES.join(', ')}, got "${values.join(',')}"`);
  }
  return values as TokenScope[];
}

function parseDays(value: string): number {
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1 || days > MAX_TOKEN_DAYS) {
    throw new AppError('validation_failed', `--days must be a whole number from 1 to ${MAX_TOKEN_DAYS}, got "${value}"`);
  }
  return days;
}

const rolesText = (u: UserView) =>
  [...u.roles, ...Object.entries(u.systemRoles).flatMap(([system, roles]) => roles.map((r) => `${r}@${system}`))].join(',') || '-';

async function allPages<T>(fetch: (offset: number) => Promise<{ items: T[]; total: number }>): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const page = await fetch(items.length);
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return items;
  }
}

function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage user accounts and roles');

  user
    .command('add')
    .description('create a user (without --password-stdin the user has no password until one is set)')
    .argument('<email>', 'email address, the sign-in name')
    .requiredOption('--name <name>', 'display name')
    .option('--role <role>', `global role, repeatable or comma-separated (${ROLES.join(', ')})`, collect)
    .option('--password-stdin', 'read the initial password from standard input')
    .option('--as <email>', AS_HELP)
    .action(async (email: string, opts: { name: string; role?: string[]; passwordStdin?: boolean; as?: string }) => {
      const roles = parseRoles(opts.role ?? []);
      const password = opts.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : null;
      await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        const created = await store.transact((trx) => createUser(trx, { ctx, user: { email, displayName: opts.name, password, roles } }));
        console.log(`Created user ${created.email} (${created.id})${roles.length ? ` with roles ${roles.join(', ')}` : ''}.`);
      });
    });

  user
    .command('list')
    .description('list users')
    .option('--status <status>', 'active or deactivated')
    .option('--role <role>', 'only holders of this role (globally or for a system)')
    .option('--email <text>', 'email contains this text')
    .option('--json', 'print JSON')
    .action(async (opts: { status?: string; role?: string; email?: string; json?: boolean }) => {
      if (opts.status && opts.status !== 'active' && opts.status !== 'deactivated') {
        throw new AppError('validation_failed', `--status must be active or deactivated, got "${opts.status}"`);
      }
      const filter: Omit<UserFilter, 'limit' | 'offset'> = {
        status: opts.status as UserFilter['status'],
        role: opts.role ? parseRoles([opts.role])[0] : undefined,
        email: opts.email,
      };
      await withStore(async (store) => {
        const users = await allPages((offset) => listUsers(store.db, { ...filter, limit: 500, offset }));
        if (opts.json) return printJson(users);
        printTable(
          ['EMAIL', 'STATUS', 'ROLES', 'NAME', 'ID'],
          users.map((u) => [u.email, u.status, rolesText(u), u.displayName, u.id]),
        );
      });
    });

  user
    .command('set-role')
    .description('set the roles a user holds globally (or, with --system, for one AI system); "none" removes them all')
    .argument('<email>', 'the user')
    .argument('<roles...>', `the full set of roles for that scope (${ROLES.join(', ')}), or none`)
    .option('--system <id>', 'the AI system these roles are for (default: global roles)')
    .option('--reason <text>', 'why, recorded in the ledger')
    .option('--as <email>', AS_HELP)
    .action(async (email: string, roleArgs: string[], opts: { system?: string; reason?: string; as?: string }) => {
      const wanted = roleArgs.length === 1 && roleArgs[0] === 'none' ? [] : parseRoles(roleArgs.flatMap((r) => collect(r)));
      await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        const target = await userByEmail(store, email);
        const result = await store.transact(async (trx) => {
          const current = await loadRoles(trx, target.id);
          const next = opts.system
            ? { roles: current.roles, systemRoles: { ...current.systemRoles, [opts.system]: wanted } }
            : { roles: wanted, systemRoles: current.systemRoles };
          return setUserRoles(trx, { ctx, userId: target.id, roles: next, reason: opts.reason ?? null });
        });
        const scope = opts.system ? ` for system ${opts.system}` : '';
        console.log(
          `${target.email} now holds${scope}: ${(opts.system ? result.roles.systemRoles[opts.system] : result.roles.roles)?.join(', ') || 'no roles'}.`,
        );
      });
    });

  user
    .command('deactivate')
    .description('deactivate a user: no sign-in, sessions and tokens revoked (accounts are never deleted)')
    .argument('<email>', 'the user')
    .option('--reason <text>', 'why, recorded in the ledger')
    .option('--as <email>', AS_HELP)
    .action(async (email: string, opts: { reason?: string; as?: string }) => {
      await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        const target = await userByEmail(store, email);
        await store.transact((trx) => deactivateUser(trx, { ctx, userId: target.id, reason: opts.reason ?? null }));
        console.log(`Deactivated ${target.email}.`);
      });
    });
}

function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('manage API tokens');

  token
    .command('create')
    .description('create an API token for a user and print it once')
    .requiredOption('--user <email>', 'the user the token acts as')
    .requiredOption('--name <name>', 'what the token is for')
    .requiredOption('--scope <scopes>', `comma-separated: ${TOKEN_SCOPES.join(', ')}`, collect)
    .option('--days <n>', `days until it expires (1-${MAX_TOKEN_DAYS})`, '90')
    .option('--as <email>', AS_HELP)
    .action(async (opts: { user: string; name: string; scope: string[]; days: string; as?: string }) => {
      const scopes = parseScopes(opts.scope);
      const expiresInDays = parseDays(opts.days);
      await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        const owner = await userByEmail(store, opts.user);
        const created = await store.transact((trx) =>
          createApiToken(trx, { ctx, token: { userId: owner.id, name: opts.name, scopes, expiresInDays } }),
        );
        process.stderr.write(
          `Token ${created.id} for ${owner.email} (scopes ${created.scopes.join(',')}, expires ${created.expiresAt}); it is shown only now:\n`,
        );
        console.log(created.token);
      });
    });

  token
    .command('list')
    .description('list API tokens (never their secrets)')
    .option('--user <email>', 'only this user’s tokens')
    .option('--status <status>', 'active, revoked or expired')
    .option('--json', 'print JSON')
    .action(async (opts: { user?: string; status?: string; json?: boolean }) => {
      if (opts.status && !['active', 'revoked', 'expired'].includes(opts.status)) {
        throw new AppError('validation_failed', `--status must be active, revoked or expired, got "${opts.status}"`);
      }
      await withStore(async (store) => {
        const userId = opts.user ? (await userByEmail(store, opts.user)).id : undefined;
        const status = opts.status as TokenStatus | undefined;
        const tokens: TokenRecord[] = await allPages((offset) => listTokens(store.db, { userId, status, limit: 500, offset }));
        if (opts.json) return printJson(tokens);
        printTable(
          ['ID', 'USER', 'NAME', 'SCOPES', 'STATUS', 'EXPIRES'],
          tokens.map((t) => [t.id, t.userEmail, t.name, t.scopes.join(','), t.status, t.expiresAt]),
        );
      });
    });

  token
    .command('revoke')
    .description('revoke an API token at once')
    .argument('<id>', 'the token id (from token list)')
    .option('--reason <text>', 'why, recorded in the ledger')
    .option('--as <email>', AS_HELP)
    .action(async (id: string, opts: { reason?: string; as?: string }) => {
      await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        await store.transact((trx) => revokeApiToken(trx, { ctx, tokenId: id, reason: opts.reason ?? null }));
        console.log(`Revoked token ${id}.`);
      });
    });
}

export function registerUsersCommands(program: Command): void {
  registerUserCommands(program);
  registerTokenCommands(program);
}
