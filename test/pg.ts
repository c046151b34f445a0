// A throwaway PostgreSQL server for tests: initdb into a temp dir, pg_ctl on a free port, from the
// machine's PostgreSQL binaries; as the `postgres` OS user when running as root (initdb refuses root).
// scripts/test.ts starts one for the whole run and passes its URL (the unix socket's) in
// PROOFLINE_TEST_PG_URL; a test file run on its own starts its own. Never skips: no binaries is a failure.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PgServer {
  /** URL of the `postgres` maintenance database, over TCP (127.0.0.1). */
  url: string;
  /** The same database over the server's unix socket (in its data directory): what the tests use. A
   * query costs both ends less than through the loopback's TCP stack (measured: 3 to 10 % less CPU
   * in PostgreSQL-heavy test files); the benchmarks keep TCP, as a deployment on another host has. */
  socketUrl: string;
  port: number;
  dataDir: string;
  stop(): void;
}

function findBinDir(): string {
  const base = '/usr/lib/postgresql';
  if (fs.existsSync(base)) {
    const versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')));
    versions.sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return path.join(base, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return path.dirname(which.stdout.trim());
  throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found: install the postgresql package (.ci/run does)');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function run(bin: string, args: string[]): void {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `durable`: fsync and full-page writes on, as in production (the benchmarks); tests run without. */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<PgServer> {
  const binDir = findBinDir();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-pg-'));
  if (isRoot()) execFileSync('chown', ['postgres:postgres', dataDir]);
  const port = await freePort();
  run(path.join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // fsync off: test speed; the durability tests kill our server, not PostgreSQL.
  const sync = options.durable ? '' : ' -c fsync=off -c full_page_writes=off';
  const opts = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1${sync} -c max_connections=300`;
  run(path.join(binDir, 'pg_ctl'), ['-D', dataDir, '-o', opts, '-l', path.join(dataDir, 'server.log'), '-w', 'start']);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    socketUrl: `postgres://postgres@localhost:${port}/postgres?host=${encodeURIComponent(dataDir)}`,
    port,
    dataDir,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run(path.join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
