// Runs the real CLI (src/cli/dev.ts, compiled once per source state: test/compiled-cli.ts) as a child
// process on a given database.
import { execFile } from 'node:child_process';
import { createApiToken } from '../src/accounts/auth.service.js';
import { createUser } from '../src/accounts/users.service.js';
import { loadConfig } from '../src/config.js';
import { type Role, systemContext, type TokenScope } from '../src/context.js';
import { createStore, type Dialect, type Store } from '../src/db/store.js';
import { cliCommand } from './compiled-cli.js';
import { freshDatabaseUrl } from './stores.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(databaseUrl: string, args: string[], stdin?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...cliCommand(), ...args],
      { env: { ...process.env, PROOFLINE_DATABASE_URL: databaseUrl, PROOFLINE_LOG_LEVEL: 'silent' }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

/** A fresh, migrated database for CLI tests: its URL for the CLI process, and a store to arrange and check. */
export async function cliDatabase(dialect: Dialect): Promise<{ url: string; store: Store }> {
  const url = await freshDatabaseUrl(dialect, { migrated: true });
  return { url, store: createStore(loadConfig({ PROOFLINE_DATABASE_URL: url }).database) };
}

let users = 0;

/** An active user with these global roles and, when `scopes` are given, an API token of their own. */
export async function cliUser(store: Store, roles: Role[], scopes: TokenScope[] = []) {
  users += 1;
  const email = `cli-user${users}-${Date.now()}@example.test`;
  const ctx = systemContext('test');
  return store.transact(async (trx) => {
    const user = await createUser(trx, { ctx, user: { email, displayName: `CLI User ${users}`, roles } });
    const token =
      scopes.length === 0
        ? ''
        : (await createApiToken(trx, { ctx, token: { userId: user.id, name: 'cli', scopes, expiresInDays: 1 } })).token;
    return { id: user.id, email, token };
  });
}
