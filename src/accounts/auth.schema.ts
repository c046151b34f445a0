import { Type } from 'typebox';
import { ROLES, TOKEN_SCOPES } from '../context.js';
import { StringEnum } from '../server/http.js';

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const SessionView = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), displayName: Type.String() }),
  csrfToken: Type.String(),
  expiresAt: Type.String(),
});

export const WhoAmIView = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), displayName: Type.String() }),
  roles: Type.Array(StringEnum(ROLES)),
  /** system id -> roles held for that system. */
  systemRoles: Type.Record(Type.String(), Type.Array(StringEnum(ROLES))),
  authenticatedBy: Type.Enum(['session', 'token'] as const),
  /** Cookie sessions only: send it as X-CSRF-Token on every write. */
  csrfToken: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Type.String()),
  /** Token callers only. */
  tokenId: Type.Optional(Type.String()),
  scopes: Type.Optional(Type.Array(StringEnum(TOKEN_SCOPES))),
});

export const SignInMethodsView = Type.Object({
  /** False when PROOFLINE_PASSWORD_SIGNIN=off: the sign-in page shows no password form. */
  password: Type.Boolean(),
  /** Single sign-on, when configured: send the browser to `loginUrl` (with `?returnTo=/path`). */
  sso: Type.Union([Type.Object({ loginUrl: Type.String() }), Type.Null()]),
});
