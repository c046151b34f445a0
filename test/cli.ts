// Runs the real CLI (src/cli/main.ts, compiled once per source state: test/compiled-cli.ts) on a given
// database: in a CLI host process that loads it once per test file (runCli), or as a process of its own
// per command (runCliProcess), for the tests of the process boundary.
import { type ChildProcess, execFile, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiToken } from '../src/accounts/auth.service.js';
import { createUser } from '../src/accounts/users.service.js';
import { loadConfig } from '../src/config.js';
import { type Role, systemContext, type TokenScope } from '../src/context.js';
import { createStore, type Dialect, type Store } from '../src/db/store.js';
import { cliCommand, compiledCli } from './compiled-cli.js';
import { buildSystem } from './factories.js';
import { freshDatabaseUrl } from './stores.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `proofline ARGS` as its own process (src/cli/dev.ts): exit code, output, environment as a user runs it. */
export function runCliProcess(databaseUrl: string, args: string[], stdin?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...cliCommand(), ...args],
      { env: { ...process.env, PROOFLINE_DATABASE_URL: databaseUrl, PROOFLINE_LOG_LEVEL: 'silent' }, timeout: CLI_TIMEOUT_MS },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

const CLI_TIMEOUT_MS = 60_000;

interface HostReply {
  id: number;
  result?: CliResult;
  error?: string;
}

let host: ChildProcess | null = null;
let lastId = 0;
const pending = new Map<number, { resolve(result: CliResult): void; reject(error: Error): void }>();

/** The host process, started on first use; it keeps this process alive only while a command runs. */
function cliHost(): ChildProcess {
  if (host) return host;
  const main = path.join(path.dirname(compiledCli()), 'main.js');
  const child = fork(path.join(import.meta.dirname, 'cli-host.mjs'), [main], {
    execArgv: ['--enable-source-maps'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('message', ({ id, result, error }: HostReply) => {
    const call = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) idle(child);
    if (!call) return;
    if (result) call.resolve(result);
    else call.reject(new Error(`the CLI host failed: ${error}`));
  });
  child.on('exit', (code, signal) => {
    host = null;
    for (const call of pending.values()) call.reject(new Error(`the CLI host exited (${signal ?? code})`));
    pending.clear();
  });
  host = child;
  return child;
}

// At the end of the test file the host is told to stop and waited for, so that it is not left running
// and its CPU time counts as this process's children's.
process.on('beforeExit', () => {
  if (!host?.connected) return;
  host.ref();
  host.disconnect();
});

function idle(child: ChildProcess): void {
  child.unref();
  child.channel?.unref();
}

/** `proofline ARGS` on this database, run by `main` in the CLI host: the exit code, standard output
 * and standard error the command gives as a process of its own (runCliProcess), without loading the
 * CLI again for each command. Commands run one at a time, in the order called. `env`: more of the
 * command's environment (a signing key file), as a process of its own would be given it. */
export function runCli(databaseUrl: string, args: string[], stdin?: string, env: Record<string, string> = {}): Promise<CliResult> {
  const child = cliHost();
  child.ref();
  child.channel?.ref();
  lastId += 1;
  const id = lastId;
  return new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`proofline ${args.join(' ')}: no answer in ${CLI_TIMEOUT_MS} ms`));
    }, CLI_TIMEOUT_MS);
    pending.set(id, {
      resolve: (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
    child.send({
      id,
      command: { args, stdin, env: { ...process.env, ...env, PROOFLINE_DATABASE_URL: databaseUrl, PROOFLINE_LOG_LEVEL: 'silent' } },
    });
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

/** What the tests of a declaration command (`systems features`, `systems fairness-attributes`) start
 * from: a fresh database with a governance lead (who may declare), an auditor (who may not) and one
 * system, and a JSON file holding `declaration`. */
export async function declarationSetup(dialect: Dialect, declaration: unknown) {
  const { url, store } = await cliDatabase(dialect);
  const lead = await cliUser(store, ['governance_lead']);
  const auditor = await cliUser(store, ['auditor']);
  const systemId = (await buildSystem(store)).id;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-declaration-')), 'declaration.json');
  fs.writeFileSync(file, JSON.stringify(declaration));
  return { url, store, lead, auditor, systemId, file };
}
