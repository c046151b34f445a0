// The browser tests' harness: the real server (the built web UI and the API) on a fresh SQLite file,
// listening on a free port; Debian's Chromium driven by playwright-core; axe-core on each page;
// screenshots into reports/screenshots/ as test artifacts. Nothing of ours is mocked.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildIsStale } from '../../scripts/build-inputs.mjs';
import type { Role } from '../../src/context.js';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'reports', 'screenshots');
export const PASSWORD = 'correct horse battery';
/** axe-core's minified browser build (the same version and rules as its main file), read as text to
 * inject into pages: importing axe-core in Node parsed and ran its 1.5 MB main file in every browser
 * test file, only to read `axe.source`, twice the size, from it. */
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The web UI as `npm start` serves it: built once when a source is newer than the last build. */
export function ensureBuilt(): void {
  if (!buildIsStale(ROOT)) return;
  // Two browser test files run at once: one builds while the other waits, then finds it fresh
  // (two builds at once doubled the time and rewrote dist/web under the other file's pages).
  withBuildLock(() => {
    if (!buildIsStale(ROOT)) return;
    const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('the build failed; the browser tests need the built web UI');
  });
}

const BUILD_LOCK = path.join(ROOT, '.tmp', 'e2e-build.lock');
/** A lock left by a killed process is taken over after this long (a build takes a minute or two). */
const BUILD_LOCK_STALE_MS = 10 * 60 * 1000;

function withBuildLock(build: () => void): void {
  fs.mkdirSync(path.dirname(BUILD_LOCK), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(BUILD_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (fs.statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > BUILD_LOCK_STALE_MS) fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    build();
  } finally {
    fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

/** The browser-UI features a test never sees, switched off: headless Chromium still builds every
 * window's omnibox popups (two WebUI pages in a renderer of their own for each browser context, about
 * 1.4 s of CPU a context; a run opens about 90). Chromium reads only the last `--disable-features`,
 * and Playwright passes its own (features that break automation), so ours is Playwright's list, read
 * from Playwright's own default arguments, plus these; the default one is left out. */
const UI_FEATURES_OFF = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

/** Playwright's server-side API (not typed as public): only what reads its default Chromium arguments. */
interface PlaywrightServer {
  server: {
    createPlaywright(options: { sdkLanguage: string }): {
      chromium: {
        defaultArgs(options: { headless: boolean; args: string[] }, persistent: boolean, userDataDir: string): Promise<string[]>;
      };
    };
  };
}

async function disabledFeatures(): Promise<{ ignoreDefaultArgs: string[]; args: string[] }> {
  const { server } = createRequire(import.meta.url)('playwright-core/lib/coreBundle') as PlaywrightServer;
  const defaults = await server
    .createPlaywright({ sdkLanguage: 'javascript' })
    .chromium.defaultArgs({ headless: true, args: [] }, false, '');
  const playwrights = defaults.filter((arg) => arg.startsWith('--disable-features='));
  if (playwrights.length !== 1)
    throw new Error(`expected one --disable-features among Playwright's Chromium arguments, found ${playwrights.length}`);
  return { ignoreDefaultArgs: playwrights, args: [`${playwrights[0]},${UI_FEATURES_OFF.join(',')}`] };
}

/** Debian's chromium (the CI installs it); PROOFLINE_CHROMIUM overrides the path. */
export function chromiumPath(): string {
  const candidates = [process.env.PROOFLINE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error('Chromium is not installed: apt-get install chromium (the browser tests never skip)');
  return found;
}

export interface Harness {
  server: TestApp;
  baseUrl: string;
  browser: Browser;
  /** A person who can sign in with PASSWORD. */
  person(roles: Role[], name?: string): Promise<TestUser & { displayName: string }>;
  /** A new browser context (its own cookies), signed in as this person, on the dashboard. */
  signedIn(user: TestUser): Promise<{ context: BrowserContext; page: Page }>;
  /** A browser context with nobody signed in. */
  anonymous(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

let people = 0;

export interface HarnessOptions {
  /** Listen on this port (e.g. one an identity provider was told to redirect to); a free one otherwise. */
  port?: number;
  /** Extra server configuration (PROOFLINE_OIDC_*, PROOFLINE_PASSWORD_SIGNIN, ...), as `npm start` reads it. */
  env?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  ensureBuilt();
  const server = await createTestApp('sqlite', options.env);
  const address = await server.app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const features = await disabledFeatures();
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    ignoreDefaultArgs: features.ignoreDefaultArgs,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...features.args,
    ],
  });
  const contexts: BrowserContext[] = [];
  const newContext = async () => {
    // bypassCSP lets the test inject axe-core into pages whose policy refuses inline scripts.
    const context = await browser.newContext({
      baseURL: address,
      bypassCSP: true,
      timezoneId: 'Europe/Berlin',
      locale: 'en-GB',
      reducedMotion: 'reduce',
    });
    // Generous: CI runs two test files at once on two cores, and a cold first page parses the UI bundle.
    context.setDefaultTimeout(30_000);
    context.setDefaultNavigationTimeout(30_000);
    contexts.push(context);
    return { context, page: await context.newPage() };
  };
  return {
    server,
    baseUrl: address,
    browser,
    async person(roles, name) {
      people += 1;
      const email = `${(name ?? `person${people}`).toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${people}@example.test`;
      const user = await server.user(roles, { email, password: PASSWORD, ...(name ? { displayName: name } : {}) });
      const session = await server.call(user, 'GET', '/api/v1/auth/session');
      return { ...user, displayName: session.json().user.displayName as string };
    },
    async signedIn(user) {
      const { context, page } = await newContext();
      await page.goto('/login');
      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel(/^Password/).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      return { context, page };
    },
    anonymous: newContext,
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await server.close();
    },
  };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  /** Where: the first few offending elements' selectors. */
  targets: string[];
}

/** axe-core's serious and critical violations on the page as it is now (none is the bar). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // A colour measured half-way through a fade is not the colour anyone reads: let transitions end first.
  await page.evaluate(async () => {
    const doc = (globalThis as unknown as { document: { getAnimations(): { finished: Promise<unknown> }[] } }).document;
    await Promise.all(doc.getAnimations().map((a) => a.finished.catch(() => undefined)));
  });
  // Injected once per document: a page the app navigated within (no reload) still has it, and
  // parsing axe-core's 650 kB again cost up to a second a check on a loaded machine.
  const injected = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  if (!injected) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const injected = (globalThis as unknown as { axe: typeof axe; document: Parameters<typeof axe.run>[0] }).axe;
    // Only the rules whose violations are serious or critical run: axe gives every node of a rule's
    // violation the rule's own impact (when the rule has one), so a minor or moderate rule can never
    // produce what this function reports, and skipping it (region, heading-order, landmarks, ...) only saves time.
    const rules = (injected as unknown as { _audit: { rules: { id: string; impact?: string | null }[] } })._audit.rules;
    const neverSerious = rules.filter((r) => r.impact === 'minor' || r.impact === 'moderate').map((r) => r.id);
    const result = await injected.run((globalThis as unknown as { document: Parameters<typeof axe.run>[0] }).document, {
      resultTypes: ['violations'],
      rules: Object.fromEntries(neverSerious.map((id) => [id, { enabled: false }])),
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => {
        // For contrast: the colours axe measured, so the message says what to change.
        const data = n.any[0]?.data as { fgColor?: string; bgColor?: string; contrastRatio?: number } | undefined;
        return data?.fgColor ? `${n.target} (${data.fgColor} on ${data.bgColor}: ${data.contrastRatio})` : String(n.target);
      }),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v: AxeViolation) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.join(' | ')}`);
}

/** A full-page screenshot kept as a test artifact (reports/screenshots/NAME.png). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
