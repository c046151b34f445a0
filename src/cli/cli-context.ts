// What every CLI command needs: the store named by the configuration (migrated), the acting
// context (the system actor, or `--as EMAIL` naming a user; for a personal signature, that person
// with their own token or password), and plain output helpers. Every context says it came from
// the command line, run by which OS user on which host: each ledger event records it as `via`.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import cliProgress from 'cli-progress';
import { actorFromToken, loadRoles } from '../accounts/actors.js';
import { checkPassword } from '../accounts/auth.service.js';
import { findUserRowByEmail } from '../accounts/users.repository.js';
import { loadConfig, type Policies, policiesOf } from '../config.js';
import { type CliOrigin, mayWrite, type RequestContext, systemContext, type TokenScope, WRITER_ROLES } from '../context.js';
import { migrationsPending } from '../db/migrate.js';
import { createStore, type Store } from '../db/store.js';
import { AppError } from '../errors.js';

/** Opens the configured store, refuses an unmigrated database, and always closes it. */
export async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = createStore(loadConfig().database);
  try {
    const pending = await migrationsPending(store.writer);
    if (pending.length > 0) {
      throw new AppError('unavailable', `the database needs ${pending.length} migration(s): run \`proofline migrate\` first`);
    }
    return await fn(store);
  } finally {
    await store.close();
  }
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    // A uid with no passwd entry (some containers): the number is still who ran it.
    return `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}

function cliOrigin(credential: CliOrigin['credential']): CliOrigin {
  return { channel: 'cli', osUser: osUser(), host: os.hostname(), credential };
}

async function activeUser(store: Store, email: string) {
  const user = await findUserRowByEmail(store.db, email);
  if (user?.status !== 'active') throw new AppError('not_found', `no active user ${email} to act as`, { field: '--as' });
  return user;
}

/** The acting context of an operator action: the system actor for admin maintenance, or the
 * active user `asEmail`, named without credentials (recorded as such: `via.credential` = none). */
/** The configured rules every CLI context carries (`ctx.policies`), as the server's do. */
export const cliPolicies = (): Policies => policiesOf(loadConfig());

export async function cliContext(store: Store, asEmail?: string): Promise<RequestContext> {
  const requestId = `cli:${randomUUID()}`;
  if (!asEmail) return { ...systemContext(requestId, cliPolicies()), via: cliOrigin('none') };
  const user = await activeUser(store, asEmail);
  const roles = await loadRoles(store.db, user.id);
  return {
    actor: { kind: 'user', userId: user.id, email: user.email, displayName: user.display_name, ...roles },
    requestId,
    sourceAddress: null,
    via: cliOrigin('none'),
    policies: cliPolicies(),
  };
}

export interface CredentialOptions {
  as: string;
  /** Read an API token of the person named by --as from standard input. */
  tokenStdin?: boolean;
  /** Read the password of the person named by --as from standard input. */
  passwordStdin?: boolean;
}

export const TOKEN_STDIN_HELP = "read the acting person's own API token (write scope) from standard input";
export const PASSWORD_STDIN_HELP = "read the acting person's own password from standard input";

/** The acting context of a command that may carry a person's own signature (approve, reject, a
 * two-person resume). With --token-stdin the token must be that person's, active, with the
 * `write` scope, exactly as the HTTP bearer token is checked; with --password-stdin the password is
 * checked as sign-in checks it, failures and lockout included. With neither, it is an operator
 * action, and the use case refuses a personal signature (`personal_signature_required`). */
export async function signingContext(store: Store, opts: CredentialOptions): Promise<RequestContext> {
  if (opts.tokenStdin && opts.passwordStdin) {
    throw new AppError('validation_failed', 'give --token-stdin or --password-stdin, not both');
  }
  if (!opts.tokenStdin && !opts.passwordStdin) return cliContext(store, opts.as);
  const secret = (await readStdin()).replace(/\r?\n$/, '');
  const requestId = `cli:${randomUUID()}`;
  if (opts.tokenStdin) return tokenContext(store, { email: opts.as, token: secret, scope: 'write' });
  // A failed check is a ledger event (auth.login_failed) from the command line, like a failed sign-in.
  const checked = await store.transact((trx) =>
    checkPassword(trx, { ctx: { ...systemContext(requestId, cliPolicies()), via: cliOrigin('none') }, email: opts.as, password: secret }),
  );
  if (checked instanceof AppError) throw checked;
  const roles = await loadRoles(store.db, checked.id);
  return {
    actor: { kind: 'user', userId: checked.id, email: checked.email, displayName: checked.display_name, ...roles },
    requestId,
    sourceAddress: null,
    via: cliOrigin('password'),
    policies: cliPolicies(),
  };
}

/** The context of `email`'s own API token, checked as the HTTP bearer token is: valid, that
 * person's, active, and carrying `scope`. */
async function tokenContext(store: Store, { email, token, scope }: { email: string; token: string; scope: TokenScope }) {
  const user = await activeUser(store, email);
  const actor = await actorFromToken(store.db, token.trim());
  if (!actor) throw new AppError('unauthenticated', 'the API token is invalid, expired or revoked');
  if (actor.userId !== user.id) throw new AppError('invalid_credentials', `this API token is not ${email}'s`);
  if (!actor.scopes?.includes(scope)) {
    throw new AppError('insufficient_scope', `this API token lacks the "${scope}" scope`, { required: scope });
  }
  const ctx: RequestContext = {
    actor,
    requestId: `cli:${randomUUID()}`,
    sourceAddress: null,
    via: cliOrigin('api_token'),
    policies: cliPolicies(),
  };
  return ctx;
}

/** The acting context of a decision-record ingest. Over HTTP only reporting systems ingest, with
 * an `ingest`-scoped API token of an account that may change things (any role but auditor). The
 * command line keeps that rule: `--as EMAIL` needs that person's ingest token on standard input
 * (`--token-stdin`); naming them alone is refused (`token_required`, as a session is refused by
 * the route). Without `--as` it is operator maintenance by the system actor, as for
 * `systems import`: whoever runs the CLI already holds the database. */
export async function ingestContext(store: Store, opts: { as?: string; tokenStdin?: boolean }): Promise<RequestContext> {
  if (opts.as === undefined) {
    if (opts.tokenStdin) throw new AppError('validation_failed', '--token-stdin needs --as EMAIL, the account the token belongs to');
    return cliContext(store);
  }
  if (!opts.tokenStdin) {
    throw new AppError('token_required', 'ingesting as a person takes their API token with the ingest scope: add --token-stdin');
  }
  const ctx = await tokenContext(store, { email: opts.as, token: await readStdin(), scope: 'ingest' });
  if (!mayWrite(ctx.actor)) {
    throw new AppError('forbidden', `this needs one of the roles: ${WRITER_ROLES.join(', ')}`, { required: WRITER_ROLES });
  }
  return ctx;
}

/** Looks a user up by email or fails with a one-line error. */
export async function userByEmail(store: Store, email: string) {
  const user = await findUserRowByEmail(store.db, email);
  if (!user) throw new AppError('not_found', `no user ${email}`, { resource: 'user', email });
  return user;
}

/** Commander option parser for a repeatable option that also accepts comma lists. */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

/** The JSON in `file` (an option such as `--file`), or `validation_failed` naming that option. */
export function readJsonFile(file: string, option = '--file'): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('validation_failed', `${option}: ${file} is not readable JSON (${(error as Error).message})`, { field: option });
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Fixed-width columns for listings. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(headers), ...rows.map(line)].join('\n')}\n`);
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A bar on a terminal; elsewhere (logs, CI) a line every tenth of the way. */
export function progressReporter(label: string): { update(done: number, total: number): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: `${label} [{bar}] {percentage}% {value}/{total}`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, done);
          started = true;
        } else bar.update(done);
      },
      stop() {
        if (started) bar.stop();
        started = false;
      },
    };
  }
  let lastTenth = -1;
  return {
    update(done, total) {
      const tenth = total === 0 ? 10 : Math.floor((done * 10) / total);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${label}: ${done}/${total}\n`);
      }
    },
    stop() {},
  };
}
