// Request and response schemas for API tokens.
import { Type } from 'typebox';
import { TOKEN_SCOPES } from '../context.js';
import { component, PageQuery } from '../server/http.js';
import { MAX_TOKEN_DAYS } from './auth.service.js';

export const TokenScopeName = Type.Enum(TOKEN_SCOPES);
export const TokenStatus = Type.Enum(['active', 'revoked', 'expired'] as const);

export const TokenView = component(
  'ApiToken',
  Type.Object({
    id: Type.String(),
    userId: Type.String(),
    userEmail: Type.String(),
    userName: Type.String({ description: "the owner's display name" }),
    name: Type.String(),
    scopes: Type.Array(TokenScopeName),
    status: TokenStatus,
    createdAt: Type.String(),
    expiresAt: Type.String(),
    revokedAt: Type.Union([Type.String(), Type.Null()]),
  }),
);

export const CreatedTokenView = Type.Object({
  id: Type.String(),
  token: Type.String({ description: 'plt_<id>_<secret>: shown once, never again' }),
  name: Type.String(),
  scopes: Type.Array(TokenScopeName),
  expiresAt: Type.String(),
});

export const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(TokenScopeName, { minItems: 1, maxItems: TOKEN_SCOPES.length }),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS, default: 90 })),
  },
  { additionalProperties: false },
);

export const TokenListQuery = Type.Object(
  {
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'admins and auditors: whose tokens' })),
    status: Type.Optional(TokenStatus),
    ...PageQuery,
  },
  { additionalProperties: false },
);
