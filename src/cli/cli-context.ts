// What every CLI command needs: the store named by the configuration (migrated), the acting
// context (the system actor, or `--as EMAIL` naming a user), and plain output helpers.
import { randomUUID } from 'node:crypto';
import cliProgress from 'cli-progress';
import { loadRoles } from '../accounts/actors.js';
import { findUserRowByEmail } from '../accounts/users.repository.js';
import { loadConfig } from '../config.js';
import { type RequestContext, systemContext } from '../context.js';
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

/** The configured minimum of visible characters for every "why" (config.minRationaleLength). */
export const minRationaleLength = (): number => loadConfig().minRationaleLength;

/** The acting context: the system actor for admin maintenance, or the active user `asEmail`. */
export async function cliContext(store: Store, asEmail?: string): Promise<RequestContext> {
  const requestId = `cli:${randomUUID()}`;
  if (!asEmail) return systemContext(requestId);
  const user = await findUserRowByEmail(store.db, asEmail);
  if (user?.status !== 'active') throw new AppError('not_found', `no active user ${asEmail} to act as`, { field: '--as' });
  const roles = await loadRoles(store.db, user.id);
  return {
    actor: { kind: 'user', userId: user.id, email: user.email, displayName: user.display_name, ...roles },
    requestId,
    sourceAddress: null,
  };
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
