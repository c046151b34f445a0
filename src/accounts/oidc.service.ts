// Signing in through single sign-on, once the provider has vouched for the person (oidc.client.ts):
// match the account by verified email or provision it, take the roles from the configured claim,
// open a session as a password sign-in does. Every refusal is decided before anything is written.
import type { OidcConfig } from '../config.js';
import type { RequestContext, Role } from '../context.js';
import type { Tx } from '../db/store.js';
import { AppError } from '../errors.js';
import { loadRoles } from './actors.js';
import { type LoginResult, openSession } from './auth.service.js';
import type { OidcIdentity } from './oidc.client.js';
import { findUserRowByEmail } from './users.repository.js';
import { createUser, setUserRoles } from './users.service.js';

/** The claim at a dotted path (`realm_access.roles`), as a list of strings. */
function claimValues(claims: Record<string, unknown>, path: string): string[] {
  let value: unknown = claims;
  for (const part of path.split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The global roles the claim grants; values the map does not name are ignored, but at least one
 * must map: a person the provider gives no Proofline role is refused, not let in without one. */
export function rolesFromClaim(claims: Record<string, unknown>, oidc: Pick<OidcConfig, 'roleClaim' | 'roleMap'>): Role[] | null {
  if (oidc.roleClaim === null) return null;
  const values = claimValues(claims, oidc.roleClaim);
  const roles = [...new Set(values.flatMap((v) => (Object.hasOwn(oidc.roleMap, v) ? [oidc.roleMap[v]] : [])))].sort();
  if (roles.length === 0) {
    throw new AppError('sso_role_unmapped', `the ${oidc.roleClaim} claim names no value that Proofline maps to a role`, {
      claim: oidc.roleClaim,
      values,
    });
  }
  return roles;
}

/** The email the provider vouches for, lower-cased; refused unless email_verified is true. */
export function verifiedEmail(claims: Record<string, unknown>): string {
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  // Some providers send the flag as the string "true".
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  if (email === '' || !verified) {
    throw new AppError('sso_email_unverified', 'the identity provider does not vouch for an email address (email_verified)', {
      email: email || null,
    });
  }
  return email;
}

/**
 * Signs in a person the provider has authenticated. `ctx` is Proofline's own (the system actor,
 * with the request's id and address): provisioning the account and changing its roles are
 * Proofline acting on the provider's word, and the events' reason names the provider. The
 * sign-in itself is the person's, as with a password.
 */
export async function signInWithSso(
  trx: Tx,
  { ctx, identity, oidc, ttlMinutes }: { ctx: RequestContext; identity: OidcIdentity; oidc: OidcConfig; ttlMinutes: number },
): Promise<LoginResult> {
  const email = verifiedEmail(identity.claims);
  const claimed = rolesFromClaim(identity.claims, oidc);
  const source = `single sign-on through ${identity.issuer}`;
  let user = await findUserRowByEmail(trx, email);
  if (user?.status === 'deactivated') {
    throw new AppError('account_deactivated', `the account ${email} is deactivated`, {
      email,
    });
  }
  if (!user) {
    const name = [identity.claims.name, identity.claims.preferred_username].find((v) => typeof v === 'string' && v.trim() !== '');
    await createUser(trx, {
      ctx,
      user: { email, displayName: (name as string | undefined) ?? email, roles: claimed ?? [] },
      reason: `first sign-in by ${source}`,
    });
    user = await findUserRowByEmail(trx, email);
    if (!user) throw new AppError('internal_error', `the account ${email} was created but cannot be read`);
  } else if (claimed) {
    const held = await loadRoles(trx, user.id);
    await setUserRoles(trx, {
      ctx,
      userId: user.id,
      roles: { roles: claimed, systemRoles: held.systemRoles },
      reason: `roles from the ${oidc.roleClaim} claim, ${source}`,
    });
  }
  return openSession(trx, {
    ctx,
    user,
    ttlMinutes,
    method: { method: 'oidc', issuer: identity.issuer, subject: identity.subject },
  });
}
