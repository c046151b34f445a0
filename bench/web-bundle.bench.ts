// Issue 10's size target: the JavaScript the first page loads, gzipped, ≤ 250 KB; later pages load
// their own chunks. Chromium opens the sign-in page and then the dashboard (the first page after
// signing in); every script it fetched is counted at its gzip size (the .gz copies the build made).
// Baseline, same run: the gzip size of the whole web UI's JavaScript, so the ratio shows the split.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createUser } from '../src/accounts/users.service.js';
import { systemContext } from '../src/context.js';
import { chromiumPath, ensureBuilt } from '../web/e2e/harness.js';
import { type BenchResult, startBenchServer } from './lib.js';

const WEB = path.resolve(import.meta.dirname, '..', 'dist', 'web');
const PASSWORD = 'bench password long enough';
const gzSize = (urlPath: string) => fs.statSync(path.join(WEB, `${urlPath.replace(/^\//, '')}.gz`)).size;

export async function run(): Promise<BenchResult[]> {
  ensureBuilt();
  const s = await startBenchServer();
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const email = `bundle-${Date.now()}@example.test`;
    await s.server.store.transact((trx) =>
      createUser(trx, { ctx: systemContext('bench'), user: { email, displayName: 'Bundle Bench', password: PASSWORD, roles: ['admin'] } }),
    );
    const page = await (await browser.newContext({ baseURL: s.url })).newPage();
    const scripts = new Set<string>();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith('.js')) scripts.add(url.pathname);
    });
    await page.goto('/login');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const loginBytes = [...scripts].reduce((sum, p) => sum + gzSize(p), 0);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByText('Trends, week by week').waitFor();
    // Everything the dashboard loads counts, its trend chart's chunk (loaded after the figures) too.
    await page.getByTestId('trends-chart').locator('canvas').waitFor();
    await page.waitForLoadState('networkidle');
    const firstPage = [...scripts].reduce((sum, p) => sum + gzSize(p), 0);
    const all = fs
      .readdirSync(path.join(WEB, 'assets'))
      .filter((f) => f.endsWith('.js.gz'))
      .reduce((sum, f) => sum + fs.statSync(path.join(WEB, 'assets', f)).size, 0);
    const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;
    return [
      {
        name: 'JavaScript for the sign-in page, gzipped',
        value: kb(loginBytes),
        unit: 'KB',
        baseline: kb(all),
        ratio: Math.round((loginBytes / all) * 100) / 100,
        target: '≤ 250 KB',
        pass: loginBytes <= 250 * 1024,
      },
      {
        name: 'JavaScript for the dashboard (first page after sign-in, its chart included), gzipped',
        value: kb(firstPage),
        unit: 'KB',
        baseline: kb(all),
        ratio: Math.round((firstPage / all) * 100) / 100,
        target: '≤ 250 KB; later pages load their own chunks',
        pass: firstPage <= 250 * 1024 && firstPage < all,
      },
    ];
  } finally {
    await browser.close();
    await s.stop();
  }
}
