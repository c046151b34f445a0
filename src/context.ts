// Who is acting and from where: passed from the edge (HTTP or CLI) into every use case,
// and written into every ledger event.
import { DEFAULT_POLICIES, type Policies } from './config.js';
import { AppError } from './errors.js';

export const ROLES = [
  'admin',
  'governance_lead',
  'system_owner',
  'approver',
  'reviewer',
  'oversight_officer',
  'auditor',
  'contributor',
  /** An external auditor: grants nothing by itself; what they may read comes only from a live
   * auditor grant (src/modules/auditor-grants/), enforced route by route (grant-access.ts). */
  'external_auditor',
] as const;
export type Role = (typeof ROLES)[number];

/** Every role that may change something: all but `auditor`, who reads everything and changes
 * nothing, and `external_auditor`, who reads only what a grant covers. Self-service writes (own
 * password, own tokens) require one of these instead of 'any', so a caller holding only `auditor`
 * (or no role at all) is refused on every write route. */
export const WRITER_ROLES: readonly Role[] = ROLES.filter((role) => role !== 'auditor' && role !== 'external_auditor');

export const TOKEN_SCOPES = ['read', 'write', 'ingest', 'ledger:stream'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Who an actor is: a person signed in, a person's API token, or Proofline itself. */
export const ACTOR_KINDS = ['user', 'token', 'system'] as const;

export interface Actor {
  kind: (typeof ACTOR_KINDS)[number];
  /** The user acting (for a token, the user who made it); null for the system itself. */
  userId: string | null;
  email: string | null;
  displayName: string | null;
  /** Global roles held at this moment. */
  roles: Role[];
  /** Roles held for single AI systems: system id -> roles. */
  systemRoles: Record<string, Role[]>;
  tokenId?: string;
  scopes?: TokenScope[];
  /** Set while this person's decision, which completed an approval chain (or their emergency
   * change), is applied: the inventory lets the change through on the approval's authority (its use
   * cases still check the approval itself), and the ledger names this person and the signers. */
  applying?: ApplyingApproval;
  /** Set for an external auditor acting under a live auditor grant: the grant's id, named by
   * every read event and every evidence pack they export. */
  auditorGrantId?: string;
}

/** A person who signed an approval: the approver, and whom they signed for when delegated. */
export interface Signer {
  id: string;
  name: string;
  onBehalfOf: { id: string; name: string } | null;
}

export interface ApplyingApproval {
  approvalRequestId: string;
  /** Who signed the approval's current revision, in decision order; empty for an emergency change. */
  signers: Signer[];
}

/** Where a command-line action came from and how its acting account was established; written
 * into the ledger event as `via`. HTTP requests carry none: a token or session proves the caller. */
export interface CliOrigin {
  channel: 'cli';
  /** The operating-system account and host that ran the command. */
  osUser: string;
  host: string;
  /** `none`: the account was only named (`--as`), or it is Proofline itself; `api_token` or
   * `password`: the person gave their own credentials. */
  credential: 'none' | 'api_token' | 'password';
}

export interface RequestContext {
  actor: Actor;
  requestId: string;
  sourceAddress: string | null;
  via?: CliOrigin;
  /** The configured rules (minimum rationale length, emergency review hours) the use case applies. */
  policies: Policies;
}

export const SYSTEM_ACTOR: Actor = {
  kind: 'system',
  userId: null,
  email: null,
  displayName: 'Proofline',
  roles: [],
  systemRoles: {},
};

/** Proofline itself acting; `policies` defaults to the configuration's defaults (tests, tools). */
export function systemContext(requestId = 'system', policies: Policies = DEFAULT_POLICIES): RequestContext {
  return { actor: SYSTEM_ACTOR, requestId, sourceAddress: null, policies };
}

/** The person acting, applying an approved change under that approval's authority. */
export function applierOf(ctx: RequestContext, applying: ApplyingApproval): RequestContext {
  return { ...ctx, actor: { ...ctx.actor, applying } };
}

/** Proofline itself, or a person applying an approved change: what the inventory lets through
 * without the person's own edit rights (the approval gate is checked separately). */
export const actsWithProoflineAuthority = (actor: Actor) => actor.kind === 'system' || actor.applying !== undefined;

export const hasRole = (actor: Actor, ...roles: Role[]) => roles.some((r) => actor.roles.includes(r));

export const hasSystemRole = (actor: Actor, systemId: string, ...roles: Role[]) =>
  hasRole(actor, ...roles) || roles.some((r) => actor.systemRoles[systemId]?.includes(r));

/** True when the actor may change anything at all: the system itself, or a holder of a writer role
 * (globally or for some system). A caller holding only `auditor` reads and never writes. */
export const mayWrite = (actor: Actor) =>
  actor.kind === 'system' ||
  hasRole(actor, ...WRITER_ROLES) ||
  Object.values(actor.systemRoles).some((held) => held.some((r) => WRITER_ROLES.includes(r)));

/** Approving, rejecting, verifying a fix and a two-person resume are a person's own signature: an
 * operator who merely names them on the command line (`--as` without their credentials) cannot give it. */
export function requirePersonalSignature(ctx: RequestContext, what: string): void {
  if (ctx.via?.credential !== 'none') return;
  throw new AppError(
    'personal_signature_required',
    `${what} needs the person's own credentials, not --as alone: add --token-stdin or --password-stdin`,
    { actor: ctx.actor.email },
  );
}
