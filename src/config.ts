// Configuration: parsed once from the environment at start-up, validated, frozen.
// Nothing else in the code base reads process.env.
import path from 'node:path';
import { ROLES, type Role } from './context.js';
import { DEFAULT_MIN_RATIONALE_LENGTH } from './rationale.js';

/** Single sign-on with OpenID Connect (src/accounts/oidc.*.ts); null when PROOFLINE_OIDC_ISSUER is unset. */
export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Where the provider sends the browser back: the callback route under the public URL unless set. */
  readonly redirectUrl: string;
  readonly scopes: string;
  /** The claim roles are read from (a dotted path reaches into an object, e.g. realm_access.roles);
   * null: roles are kept in Proofline, set by an admin. */
  readonly roleClaim: string | null;
  /** Claim value -> Proofline role. */
  readonly roleMap: Readonly<Record<string, Role>>;
}

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly dataDir: string;
  readonly adminEmail: string | null;
  readonly adminPassword: string | null;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  readonly sessionTtlMinutes: number;
  readonly signingKeyFile: string;
  readonly signingKey: string | null;
  readonly ledgerOrigin: string;
  readonly checkpointIntervalSeconds: number;
  /** Visible characters every "why" needs (src/rationale.ts). */
  readonly minRationaleLength: number;
  /** Hours within which an emergency change needs its retrospective approval. */
  readonly emergencyReviewHours: number;
  /** scrypt cost (log2 N) of new password hashes; see DEFAULT_PASSWORD_HASH_COST. */
  readonly passwordHashCost: number;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly publicBaseUrl: string;
  /** PROOFLINE_PUBLIC_URL was set: addresses handed out use it; otherwise the request's own origin. */
  readonly publicUrlConfigured: boolean;
  readonly cookieSecure: boolean;
  /** The built web UI (Vite's output); dist/web beside the package root unless set. */
  readonly webRoot: string;
  /** Time to live of the job leader's lease (jobs/leader.ts); a dead leader is replaced within about this. */
  readonly jobLeaseTtlSeconds: number;
  /** Bearer token that GET /metrics requires; null: /metrics is not served. */
  readonly metricsToken: string | null;
  /** Months between scheduled reviews, keyed `<kind>:<EU risk tier>` (PROOFLINE_REVIEW_CADENCES);
   * a system may override its own (review_cadences). No key: that kind is not scheduled for that tier. */
  readonly reviewCadences: Readonly<Record<string, number>>;
  /** Days after its period ends that a scheduled review is due (PROOFLINE_REVIEW_DUE_DAYS). */
  readonly reviewDueDays: number;
  /** Single sign-on; null: not configured. */
  readonly oidc: OidcConfig | null;
  /** PROOFLINE_PASSWORD_SIGNIN=off: the password route refuses (the first admin and the CLI keep working). */
  readonly passwordSignIn: boolean;
  /** Minutes after a high or critical alert fired, unacknowledged, that escalation levels 2 and 3
   * go out (PROOFLINE_ALERT_ESCALATION_MINUTES, `15,60`); level 1 leaves when it fires. */
  readonly alertEscalationMinutes: readonly [number, number];
  /** Hours after an overdue review's due date that escalation levels 2 and 3 go out
   * (PROOFLINE_REVIEW_ESCALATION_HOURS, `24,48`); level 1 leaves at the due date. */
  readonly reviewEscalationHours: readonly [number, number];
}

/** The rules read from configuration that use cases apply; they reach a use case in its context
 * (`ctx.policies`), built once per process (src/services.ts, the CLI's context). */
export interface Policies {
  /** Visible characters every "why" needs (src/rationale.ts). */
  readonly minRationaleLength: number;
  /** Hours within which an emergency change needs its retrospective approval. */
  readonly emergencyReviewHours: number;
  /** scrypt cost (log2 N) of new password hashes (src/accounts/passwords.ts). */
  readonly passwordHashCost: number;
}

/** scrypt N = 2^14 (r 8, p 1): the production cost. A hash keeps its own N, so a hash made at
 * another cost still verifies; only the test helpers set less (PROOFLINE_PASSWORD_HASH_COST=10). */
export const DEFAULT_PASSWORD_HASH_COST = 14;

/** The defaults, as an unset environment gives them. */
export const DEFAULT_POLICIES: Policies = Object.freeze({
  minRationaleLength: DEFAULT_MIN_RATIONALE_LENGTH,
  emergencyReviewHours: 48,
  passwordHashCost: DEFAULT_PASSWORD_HASH_COST,
});

export const policiesOf = (config: Pick<Config, 'minRationaleLength' | 'emergencyReviewHours' | 'passwordHashCost'>): Policies =>
  Object.freeze({
    minRationaleLength: config.minRationaleLength,
    emergencyReviewHours: config.emergencyReviewHours,
    passwordHashCost: config.passwordHashCost,
  });

/** Escalation levels 2 and 3 of an unacknowledged alert, minutes after it fired. */
export const DEFAULT_ALERT_ESCALATION_MINUTES: readonly [number, number] = Object.freeze([15, 60] as const);
/** Escalation levels 2 and 3 of an overdue review, hours after its due date (as exceptions: a day, two). */
export const DEFAULT_REVIEW_ESCALATION_HOURS: readonly [number, number] = Object.freeze([24, 48] as const);

/** The default cadences: high risk quarterly, limited half-yearly, minimal yearly, for each
 * scheduled kind (fairness, performance, risk). */
export const DEFAULT_REVIEW_CADENCES: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(
    ['fairness', 'performance', 'risk'].flatMap((kind) =>
      Object.entries({ high: 3, limited: 6, minimal: 12 }).map(([tier, months]) => [`${kind}:${tier}`, months]),
    ),
  ),
);

/** `high=3,limited=6` (every scheduled kind) and `fairness:high=2` (one kind), over the defaults;
 * 0 stops scheduling that pair. */
function parseReviewCadences(env: Env): Readonly<Record<string, number>> {
  const text = env.PROOFLINE_REVIEW_CADENCES;
  const cadences: Record<string, number> = { ...DEFAULT_REVIEW_CADENCES };
  if (!text) return Object.freeze(cadences);
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const match = /^(?:(fairness|performance|risk):)?(high|limited|minimal|unassessed|prohibited)=(\d{1,2})$/.exec(part);
    if (!match || Number(match[3]) > 60) {
      throw new ConfigError('PROOFLINE_REVIEW_CADENCES', `"${part}": expected [kind:]tier=months (0-60), e.g. high=3,fairness:limited=6`);
    }
    for (const kind of match[1] ? [match[1]] : ['fairness', 'performance', 'risk']) {
      if (Number(match[3]) === 0) delete cadences[`${kind}:${match[2]}`];
      else cadences[`${kind}:${match[2]}`] = Number(match[3]);
    }
  }
  return Object.freeze(cadences);
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Two whole numbers `a,b` with min <= a <= b <= max: the delays of escalation levels 2 and 3. */
function levelDelaysVar(env: Env, name: string, fallback: readonly [number, number], min: number, max: number): readonly [number, number] {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const match = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(raw);
  const [second, third] = match ? [Number(match[1]), Number(match[2])] : [Number.NaN, Number.NaN];
  if (!match || second < min || third < second || third > max) {
    throw new ConfigError(name, `must be two whole numbers "level2,level3" with ${min} <= level2 <= level3 <= ${max}, got "${raw}"`);
  }
  return Object.freeze([second, third] as const);
}

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function parseDatabase(env: Env, dataDir: string): DatabaseConfig {
  const raw = env.PROOFLINE_DATABASE_URL;
  if (raw === undefined || raw === '') return { kind: 'sqlite', file: path.join(dataDir, 'proofline.db') };
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError('PROOFLINE_DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url: raw };
  }
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length);
    if (file === '') throw new ConfigError('PROOFLINE_DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/proofline.db');
    return { kind: 'sqlite', file };
  }
  throw new ConfigError('PROOFLINE_DATABASE_URL', `must start with postgres:// or sqlite:, got "${raw}"`);
}

/** http:// is accepted for a provider on this machine only (tests, development). */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function checkUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `is not a URL: "${value}"`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new ConfigError(name, 'must be an https:// URL (http:// only for localhost)');
  }
  return url;
}

function parseRoleMap(env: Env): Record<string, Role> {
  const raw = env.PROOFLINE_OIDC_ROLE_MAP;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '');
  } catch {
    throw new ConfigError(
      'PROOFLINE_OIDC_ROLE_MAP',
      `must be a JSON object of claim value -> role, e.g. {"ai-governance":"governance_lead"}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    throw new ConfigError('PROOFLINE_OIDC_ROLE_MAP', 'must be a non-empty JSON object of claim value -> role');
  }
  for (const [value, role] of Object.entries(parsed)) {
    if (!ROLES.includes(role as Role)) {
      throw new ConfigError('PROOFLINE_OIDC_ROLE_MAP', `"${value}" maps to "${String(role)}", which is not a role (${ROLES.join(', ')})`);
    }
  }
  return parsed as Record<string, Role>;
}

/** PROOFLINE_OIDC_*: all of issuer, client id and secret, or none; a role claim needs its map. */
function parseOidc(env: Env, publicBaseUrl: string): OidcConfig | null {
  const issuer = env.PROOFLINE_OIDC_ISSUER || null;
  const others = ['PROOFLINE_OIDC_CLIENT_ID', 'PROOFLINE_OIDC_CLIENT_SECRET', 'PROOFLINE_OIDC_REDIRECT_URL', 'PROOFLINE_OIDC_ROLE_CLAIM'];
  if (issuer === null) {
    const stray = others.find((name) => env[name]);
    if (stray) throw new ConfigError(stray, 'is set but PROOFLINE_OIDC_ISSUER is not; set the issuer to turn single sign-on on');
    return null;
  }
  checkUrl('PROOFLINE_OIDC_ISSUER', issuer);
  const clientId = env.PROOFLINE_OIDC_CLIENT_ID || '';
  if (clientId === '') throw new ConfigError('PROOFLINE_OIDC_CLIENT_ID', 'is required with PROOFLINE_OIDC_ISSUER');
  // The secret also keys the signature of the short-lived sign-in cookie (state, nonce, PKCE verifier).
  const clientSecret = env.PROOFLINE_OIDC_CLIENT_SECRET || '';
  if (clientSecret.length < 16) {
    throw new ConfigError('PROOFLINE_OIDC_CLIENT_SECRET', 'is required with PROOFLINE_OIDC_ISSUER (at least 16 characters)');
  }
  const redirectUrl = env.PROOFLINE_OIDC_REDIRECT_URL || `${publicBaseUrl.replace(/\/+$/, '')}/api/v1/auth/oidc/callback`;
  checkUrl(env.PROOFLINE_OIDC_REDIRECT_URL ? 'PROOFLINE_OIDC_REDIRECT_URL' : 'PROOFLINE_PUBLIC_URL', redirectUrl);
  const scopes = (env.PROOFLINE_OIDC_SCOPES || 'openid email profile').trim().split(/\s+/);
  if (!scopes.includes('openid') || !scopes.includes('email')) {
    throw new ConfigError('PROOFLINE_OIDC_SCOPES', 'must include openid and email');
  }
  const roleClaim = env.PROOFLINE_OIDC_ROLE_CLAIM || null;
  if (roleClaim === null && env.PROOFLINE_OIDC_ROLE_MAP) {
    throw new ConfigError('PROOFLINE_OIDC_ROLE_MAP', 'needs PROOFLINE_OIDC_ROLE_CLAIM, the claim its keys are values of');
  }
  const roleMap = roleClaim === null ? {} : parseRoleMap(env);
  return Object.freeze({
    issuer,
    clientId,
    clientSecret,
    redirectUrl,
    scopes: scopes.join(' '),
    roleClaim,
    roleMap: Object.freeze(roleMap),
  });
}

function parsePasswordSignIn(env: Env): boolean {
  const raw = (env.PROOFLINE_PASSWORD_SIGNIN || 'on').toLowerCase();
  if (raw !== 'on' && raw !== 'off') throw new ConfigError('PROOFLINE_PASSWORD_SIGNIN', `must be on or off, got "${raw}"`);
  return raw === 'on';
}

export function loadConfig(env: Env = process.env): Config {
  const dataDir = env.PROOFLINE_DATA_DIR || './data';
  const host = env.HOST || '127.0.0.1';
  const port = intVar(env, 'PORT', 8080, 0, 65535);
  const adminEmail = env.PROOFLINE_ADMIN_EMAIL || null;
  if (adminEmail !== null && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) {
    throw new ConfigError('PROOFLINE_ADMIN_EMAIL', `is not an email address: "${adminEmail}"`);
  }
  const adminPassword = env.PROOFLINE_ADMIN_PASSWORD || null;
  if (adminPassword !== null && adminPassword.length < 12) {
    throw new ConfigError('PROOFLINE_ADMIN_PASSWORD', 'must be at least 12 characters');
  }
  const logLevel = env.PROOFLINE_LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('PROOFLINE_LOG_LEVEL', `must be one of fatal, error, warn, info, debug, trace, silent`);
  }
  const smtpUrl = env.PROOFLINE_SMTP_URL || null;
  if (smtpUrl !== null && !/^smtps?:\/\//.test(smtpUrl)) {
    throw new ConfigError('PROOFLINE_SMTP_URL', 'must start with smtp:// or smtps://');
  }
  const metricsToken = env.PROOFLINE_METRICS_TOKEN || null;
  if (metricsToken !== null && !/^[\x21-\x7e]{16,}$/.test(metricsToken)) {
    throw new ConfigError('PROOFLINE_METRICS_TOKEN', 'must be at least 16 printable characters without spaces');
  }
  const publicBaseUrl = env.PROOFLINE_PUBLIC_URL || `http://${host}:${port}`;
  const oidc = parseOidc(env, publicBaseUrl);
  const passwordSignIn = parsePasswordSignIn(env);
  if (!passwordSignIn && oidc === null) {
    throw new ConfigError(
      'PROOFLINE_PASSWORD_SIGNIN',
      'off needs single sign-on (PROOFLINE_OIDC_ISSUER), or nobody could sign in to the web UI',
    );
  }
  return Object.freeze({
    host,
    port,
    database: parseDatabase(env, dataDir),
    dataDir,
    adminEmail,
    adminPassword,
    logLevel,
    bodyLimitBytes: intVar(env, 'PROOFLINE_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 512 * 1024 * 1024),
    sessionTtlMinutes: intVar(env, 'PROOFLINE_SESSION_TTL_MINUTES', 12 * 60, 1, 60 * 24 * 30),
    signingKeyFile: env.PROOFLINE_SIGNING_KEY_FILE || path.join(dataDir, 'ledger-signing-key.pem'),
    signingKey: env.PROOFLINE_SIGNING_KEY || null,
    ledgerOrigin: env.PROOFLINE_LEDGER_ORIGIN || 'proofline.local/ledger',
    checkpointIntervalSeconds: intVar(env, 'PROOFLINE_CHECKPOINT_INTERVAL_SECONDS', 60, 0, 86400),
    minRationaleLength: intVar(env, 'PROOFLINE_MIN_RATIONALE_LENGTH', DEFAULT_MIN_RATIONALE_LENGTH, 1, 10000),
    emergencyReviewHours: intVar(env, 'PROOFLINE_EMERGENCY_REVIEW_HOURS', DEFAULT_POLICIES.emergencyReviewHours, 1, 24 * 30),
    passwordHashCost: intVar(env, 'PROOFLINE_PASSWORD_HASH_COST', DEFAULT_PASSWORD_HASH_COST, 10, 20),
    smtpUrl,
    mailFrom: env.PROOFLINE_MAIL_FROM || 'proofline@localhost',
    publicBaseUrl,
    publicUrlConfigured: Boolean(env.PROOFLINE_PUBLIC_URL),
    cookieSecure: boolVar(env, 'PROOFLINE_COOKIE_SECURE', false),
    // This file runs from src/ (tsx) or dist/ (built): either way the package root is one level up.
    webRoot: env.PROOFLINE_WEB_ROOT || path.resolve(import.meta.dirname, '..', 'dist', 'web'),
    jobLeaseTtlSeconds: intVar(env, 'PROOFLINE_JOB_LEASE_TTL_SECONDS', 10, 2, 600),
    metricsToken,
    reviewCadences: parseReviewCadences(env),
    reviewDueDays: intVar(env, 'PROOFLINE_REVIEW_DUE_DAYS', 30, 1, 365),
    oidc,
    passwordSignIn,
    alertEscalationMinutes: levelDelaysVar(env, 'PROOFLINE_ALERT_ESCALATION_MINUTES', DEFAULT_ALERT_ESCALATION_MINUTES, 1, 7 * 24 * 60),
    reviewEscalationHours: levelDelaysVar(env, 'PROOFLINE_REVIEW_ESCALATION_HOURS', DEFAULT_REVIEW_ESCALATION_HOURS, 1, 90 * 24),
  });
}
