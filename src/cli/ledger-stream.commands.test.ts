// `proofline ledger stream --from N`: the backlog from N, then each new event as it commits, as
// JSON Lines, until interrupted (SIGINT ends it with exit 0).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { cliDatabase } from '../../test/cli.js';
import { cliCommand } from '../../test/compiled-cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import type { Store } from '../db/store.js';

for (const dialect of DIALECTS) {
  describe(`proofline ledger stream [${dialect}]`, () => {
    let url: string;
    let store: Store;
    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      for (let i = 0; i < 3; i++) await buildSystem(store);
    });
    after(() => store.close());

    test('prints the events from --from on, then new ones as they commit, until interrupted', { timeout: 60_000 }, async () => {
      const size = await ledgerSize(store);
      const child = spawn(process.execPath, [...cliCommand(), 'ledger', 'stream', '--from', String(size - 2)], {
        env: { ...process.env, PROOFLINE_DATABASE_URL: url, PROOFLINE_LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const seqs = () =>
        stdout
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => (JSON.parse(line) as { seq: number }).seq);
      const until = async (count: number) => {
        const deadline = Date.now() + 30_000;
        while (seqs().length < count) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`got ${seqs().length} of ${count}: ${stderr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      try {
        await until(2);
        assert.deepEqual(seqs(), [size - 2, size - 1]);
        await buildSystem(store);
        await until(3);
        assert.deepEqual(seqs(), [size - 2, size - 1, size]);
        child.kill('SIGINT');
        assert.equal(await exited, 0, stderr);
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
}
