// A throwaway Prometheus Alertmanager for tests (Debian's prometheus-alertmanager, like the
// PostgreSQL of test/pg.ts): a config with one webhook receiver, fast grouping, no clustering, its
// storage in a temp dir, on a free port. Never skips: no binary is a failure (.ci/run installs it).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './pg.js';

const BINARIES = ['/usr/bin/prometheus-alertmanager', '/usr/bin/alertmanager'];

export interface Alertmanager {
  url: string;
  /** POST /api/v2/alerts: what Prometheus would send. */
  post(
    alerts: Array<{ labels: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string }>,
  ): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

export async function startAlertmanager({ webhookUrl, bearerToken }: { webhookUrl: string; bearerToken: string }): Promise<Alertmanager> {
  const binary = BINARIES.find((b) => fs.existsSync(b));
  if (!binary) throw new Error('prometheus-alertmanager not found: install the prometheus-alertmanager package (.ci/run does)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-am-'));
  const config = [
    'route:',
    '  receiver: proofline',
    "  group_by: ['alertname', 'proofline_system']",
    '  group_wait: 100ms',
    '  group_interval: 200ms',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: proofline',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(webhookUrl)}`,
    '        send_resolved: true',
    '        http_config:',
    '          authorization:',
    '            type: Bearer',
    `            credentials: ${JSON.stringify(bearerToken)}`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'alertmanager.yml'), config);
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited: ${output}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager not ready after 15 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async post(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!res.ok) throw new Error(`alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    log: () => output,
    stop,
  };
}
