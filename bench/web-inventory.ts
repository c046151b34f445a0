// Issue 10 targets, in Chromium against the built UI served by a real server on SQLite: with 100,000
// systems the inventory draws its first rows within 1 s of navigation, and a system's history of
// 10,000 entries scrolls without loading them all (entries loaded vs drawn after a long scroll).
// Same-run baseline: navigation to the sign-in page, which loads the app and calls no list.
// Run alone: node --import tsx bench/run.ts web
import { randomUUID } from 'node:crypto';
import { chromium, type Page } from 'playwright-core';
import { createUser } from '../src/accounts/users.service.js';
import { systemContext } from '../src/context.js';
import { updateSystem } from '../src/modules/systems/systems.service.js';
import { chromiumPath, ensureBuilt, PASSWORD } from '../web/e2e/harness.js';
import { type BenchResult, median, nowMs, startBenchServer } from './lib.js';

const SYSTEMS = 100_000;
const HISTORY = 10_000;
const RUNS = 7;

type Sqlite = NonNullable<Awaited<ReturnType<typeof startBenchServer>>['server']['store']['sqlite']>;

function seedSystems(db: Sqlite, count: number, ownerId: string) {
  const statuses = ['proposed', 'in_development', 'in_validation', 'approved_for_use', 'in_production', 'restricted', 'paused', 'retired'];
  const tiers = ['prohibited', 'high', 'limited', 'minimal', 'unassessed'];
  const kinds = ['internal', 'third_party', 'prototype', 'shadow'];
  const insert = db.prepare(`insert into ai_systems (id, name, purpose, intended_use, description, ai_type, deployment_kind, status,
    eu_risk_tier, jurisdictions, tags, links, accountable_owner_id, runtime_default, created_at, updated_at, version)
    values (?, ?, 'Bench purpose', 'Bench use', '', 'machine_learning', ?, ?, ?, '["EU"]', '["bench"]', '[]', ?, 'paused', ?, ?, 1)`);
  const now = new Date().toISOString();
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      insert.run(
        randomUUID(),
        `System ${String((i * 7919) % count).padStart(6, '0')}`,
        kinds[i % 4],
        statuses[i % 8],
        tiers[i % 5],
        i % 10 === 0 ? null : ownerId,
        now,
        now,
      );
    }
  })();
  db.exec('analyze');
}

/** Milliseconds from the start of a navigation until `ready` is visible, median of RUNS. */
async function timeNavigation(page: Page, url: string, ready: string): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < RUNS + 1; run++) {
    await page.goto('about:blank');
    const start = nowMs();
    await page.goto(url, { waitUntil: 'commit' });
    await page.locator(ready).first().waitFor({ state: 'visible', timeout: 30_000 });
    if (run > 0) times.push(nowMs() - start); // the first run warms the browser's cache, as a returning visitor's
  }
  return median(times);
}

export async function run(): Promise<BenchResult[]> {
  ensureBuilt();
  const s = await startBenchServer();
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const ctx = systemContext('bench');
    const email = `web-bench-${Date.now()}@example.test`;
    const admin = await s.server.store.transact((trx) =>
      createUser(trx, { ctx, user: { email, displayName: 'Web Bench', password: PASSWORD, roles: ['admin'] } }),
    );
    const db = s.server.store.sqlite as Sqlite;
    seedSystems(db, SYSTEMS, admin.id);
    // One system with a long history: each update is one entry (its system event; the change record rides on it).
    const subject = (db.prepare('select id from ai_systems order by name limit 1').get() as { id: string }).id;
    for (let done = 0; done < HISTORY; done += 250) {
      await s.server.store.transact(async (trx) => {
        for (let i = done; i < done + 250; i++) {
          await updateSystem(trx, { ctx, systemId: subject, changes: { description: `Revision ${i}` }, rationale: `Bench revision ${i}` });
        }
      });
    }
    const events = (db.prepare('select count(*) as n from ledger_events where system_id = ?').get(subject) as { n: number }).n;

    const context = await browser.newContext({ baseURL: s.url, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    const login = await context.newPage();
    const baseline = await timeNavigation(login, '/login', 'text=Sign in to Proofline');
    await login.close();
    const inventory = await timeNavigation(page, '/systems', '[data-testid="systems-table"] tbody tr td a');
    const filtered = await timeNavigation(
      page,
      '/systems?tier=high&status=in_production&sort=-name',
      '[data-testid="systems-table"] tbody tr td a',
    );

    const historyFirst = await timeNavigation(page, `/systems/${subject}?tab=history`, '[data-testid="history-scroller"] li');
    const scroller = page.getByTestId('history-scroller');
    for (let i = 0; i < 30; i++) {
      await scroller.evaluate((el) => el.scrollBy(0, 4000));
      await page.waitForTimeout(50);
    }
    await page.waitForTimeout(500);
    const loaded = Number(/(\d+) entries loaded/.exec((await page.getByTestId('history-status').textContent()) ?? '')?.[1] ?? 'NaN');
    const drawn = await scroller.locator('li').count();
    const scrolled = await scroller.evaluate((el) => el.scrollTop);
    await context.close();
    return [
      {
        name: `inventory of ${SYSTEMS.toLocaleString('en')} systems: navigation to first rows drawn, median`,
        value: inventory,
        unit: 'ms',
        baseline,
        ratio: inventory / baseline,
        target: '<= 1000 ms',
        pass: inventory <= 1000,
      },
      {
        name: 'inventory filtered by tier and status, sorted descending: first rows drawn, median',
        value: filtered,
        unit: 'ms',
        baseline,
        ratio: filtered / baseline,
        target: '<= 1000 ms',
        pass: filtered <= 1000,
      },
      {
        name: `history of ${events.toLocaleString('en')} entries: navigation to first entry drawn, median`,
        value: historyFirst,
        unit: 'ms',
        baseline,
        ratio: historyFirst / baseline,
        target: '<= 1000 ms',
        pass: historyFirst <= 1000,
      },
      {
        name: `history scrolled ${Math.round(scrolled).toLocaleString('en')} px: entries loaded (${drawn} drawn) of ${events.toLocaleString('en')}`,
        value: loaded,
        unit: 'entries',
        target: `< ${events} loaded, <= 60 drawn`,
        pass: events >= HISTORY && loaded < events && drawn <= 60 && scrolled > 0,
      },
    ];
  } finally {
    await browser.close();
    await s.stop();
  }
}
