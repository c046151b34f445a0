// One error vocabulary for the whole product. Domain code throws AppError with a stable code;
// the server's error hook maps codes to HTTP statuses (server/errors.ts), the CLI prints one line.

export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  account_locked: 423,
  csrf_failed: 403,
  forbidden: 403,
  insufficient_scope: 403,
  token_required: 403,
  self_approval_forbidden: 403,
  duplicate_approver: 403,
  not_on_roster: 403,
  second_person_required: 403,
  personal_signature_required: 403,
  verifier_is_resolver: 403,
  /** A review's signatories: at least one must be independent of the system's owners. */
  independent_signatory_required: 403,
  /** An external auditor: the request reaches outside their grant's system, framework or period. */
  grant_scope: 403,
  /** An external auditor whose grant has expired (or who holds none). */
  grant_expired: 403,
  /** An external auditor whose grant was revoked. */
  grant_revoked: 403,
  /** An external auditor reads and exports within the grant; every other route is refused. */
  grant_route_refused: 403,
  /** PROOFLINE_PASSWORD_SIGNIN=off: people sign in through single sign-on. */
  password_sign_in_disabled: 403,
  /** Single sign-on: the sign-in cookie (state, nonce, PKCE verifier) is missing, expired, forged or names another state. */
  sso_state_invalid: 400,
  /** Single sign-on: the provider refused, answered an error, or sent an ID token that does not validate. */
  sso_provider_error: 502,
  /** Single sign-on: the provider does not vouch for the email (email_verified is not true). */
  sso_email_unverified: 403,
  /** Single sign-on: the role claim holds no value that PROOFLINE_OIDC_ROLE_MAP maps to a role. */
  sso_role_unmapped: 403,
  /** A deactivated account stays deactivated, however its owner signs in. */
  account_deactivated: 403,
  /** Single sign-on is not configured on this server. */
  sso_not_configured: 404,
  not_found: 404,
  conflict: 409,
  version_conflict: 409,
  invalid_transition: 409,
  approval_required: 409,
  prohibited_practice: 409,
  chain_unfillable: 409,
  content_changed: 409,
  /** The change of the request was applied (an emergency change): what was applied is what is decided. */
  content_frozen: 409,
  approval_expired: 409,
  /** Feedback becomes an exception once: a second conversion names the exception it became. */
  feedback_already_converted: 409,
  /** A declared feature keeps its kind (numeric or categorical) once decision records carry values of it. */
  feature_kind_locked: 409,
  precondition_required: 428,
  /** An Alertmanager alert whose proofline_system label names no known AI system. */
  alert_system_unknown: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_supported: 400,
  rate_limited: 429,
  unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string, id: string | number) =>
  new AppError('not_found', `${what} ${id} does not exist`, { resource: what, id });
