// The composition root: what the server's routes and jobs share, built and closed in one place.
// A route plugin or a job receives `Services` typed; nothing is looked up by name, and nothing is
// started as a side effect of registering routes. The CLI builds no Services (it signs no
// checkpoint, follows no runtime state, sends no mail); its contexts carry the same policies.
import type { Transporter } from 'nodemailer';
import { createOidcRelyingParty, type OidcRelyingParty } from './accounts/oidc.client.js';
import { type Config, type Policies, policiesOf } from './config.js';
import { type SharedRateLimits, sharedRateLimits } from './db/rate-limits.js';
import type { Store } from './db/store.js';
import { type LedgerSigner, loadSigningKey } from './ledger/signing-key.js';
import { type RuntimeCache, startRuntimeCache } from './modules/oversight/runtime-cache.js';
import { createMailer } from './notifications/notifications.service.js';
import { createMetrics, type Metrics } from './server/metrics.js';

export interface Services {
  readonly config: Config;
  readonly store: Store;
  /** The ledger's Ed25519 checkpoint key (config.signingKey / signingKeyFile). */
  readonly signer: LedgerSigner;
  /** Every system's runtime state in memory, following changes made by any process. */
  readonly runtimeCache: RuntimeCache;
  /** SMTP transport for the outbox; null when config.smtpUrl is unset. */
  readonly mailer: Transporter | null;
  /** The configured rules use cases apply; every request context carries them (`ctx.policies`). */
  readonly policies: Policies;
  /** This process's Prometheus registry and the instruments routes and jobs record into. */
  readonly metrics: Metrics;
  /** Rate limits shared by every instance (PostgreSQL); null: each process limits in memory (SQLite). */
  readonly rateLimits: SharedRateLimits | null;
  /** The single sign-on relying party (it discovers the provider on first use); null when config.oidc is unset. */
  readonly oidc: OidcRelyingParty | null;
}

export interface ServicesOptions {
  /** Where background failures (a runtime cache refresh) are reported. */
  onError?: (error: unknown) => void;
}

/** Builds every service over an open, migrated store. The store stays the caller's to close. */
export async function createServices(config: Config, store: Store, { onError }: ServicesOptions = {}): Promise<Services> {
  const signer = loadSigningKey(config);
  let runtimeCache: RuntimeCache | null = null;
  const metrics = createMetrics(store, () => runtimeCache);
  runtimeCache = await startRuntimeCache(store, (error) => {
    metrics.runtimeCacheRefreshFailures.inc();
    onError?.(error);
  });
  return Object.freeze({
    config,
    store,
    signer,
    runtimeCache,
    mailer: createMailer(config.smtpUrl),
    policies: policiesOf(config),
    metrics,
    rateLimits: sharedRateLimits(store),
    oidc: config.oidc ? createOidcRelyingParty(config.oidc) : null,
  });
}

/** Stops what createServices started (the runtime cache's listener and timers, the SMTP pool). */
export async function closeServices(services: Services): Promise<void> {
  await services.runtimeCache.stop();
  services.mailer?.close();
}
