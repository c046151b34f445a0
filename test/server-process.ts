// A real server in a child process (`proofline serve` from source, compiled once: test/compiled-cli.ts), for tests that must
// kill it (kill -9) or run several against one database. Signs in as the first admin.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliCommand } from './compiled-cli.js';
import { freePort } from './pg.js';

export const ADMIN_EMAIL = 'admin@example.test';
export const ADMIN_PASSWORD = 'a long admin password';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Output so far, for failure messages. */
  output(): string;
  /** Standard output alone (the JSON log) and standard error alone. */
  stdout(): string;
  stderr(): string;
  /** The exit code once exited (null while running or when killed by a signal). */
  exitCode(): number | null;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown code runs. */
  kill9(): Promise<void>;
}

/** Environment shared by every process of one test: database, key file, first admin. */
export function serverEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-proc-'));
  return {
    PROOFLINE_DATABASE_URL: databaseUrl,
    PROOFLINE_DATA_DIR: dir,
    PROOFLINE_SIGNING_KEY_FILE: path.join(dir, 'ledger-signing-key.pem'),
    PROOFLINE_ADMIN_EMAIL: ADMIN_EMAIL,
    PROOFLINE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    PROOFLINE_LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** Runs the server from source by default; `command` may name the built one (`bin/proofline.mjs`). */
export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
  command: string[] = cliCommand(),
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...command, 'serve'], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${output}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready after ${timeoutMs} ms: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    output: () => output,
    stdout: () => stdout,
    stderr: () => stderr,
    exitCode: () => child.exitCode,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Two servers on one database, started one after the other: the first migrates and creates the
 * first admin and the signing key, which the second then finds. */
export async function startServerPair(env: Record<string, string>): Promise<[ServerProcess, ServerProcess]> {
  const first = await startServerProcess(env);
  try {
    return [first, await startServerProcess(env)];
  } catch (error) {
    await first.kill9();
    throw error;
  }
}

/** Headers for writes as the first admin: session cookie plus the CSRF token. */
export async function signInAdmin(url: string, password = ADMIN_PASSWORD): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const session = /pl_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: `pl_session=${session}`, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
}
