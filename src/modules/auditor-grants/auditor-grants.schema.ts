// Request and response shapes of auditor grants (POST/GET /api/v1/auditor-grants, revoke, reads).
import { type Static, Type } from 'typebox';
import { component, Id, PageQuery, StringEnum } from '../../server/http.js';

import { MAX_GRANT_DAYS } from './auditor-grants.service.js';

export const GRANT_STATUSES = ['live', 'expired', 'revoked'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const NewAuditor = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 200 }),
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'a first password, given to the auditor apart' })),
  },
  { additionalProperties: false },
);

export const CreateGrantBody = Type.Object(
  {
    auditorId: Type.Optional(Id),
    newAuditor: Type.Optional(NewAuditor),
    systemId: Type.Optional(Id),
    framework: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'iso42001, nist-ai-rmf, eu-ai-act, gdpr or dora' })),
    periodFrom: Type.Optional(Type.String({ format: 'date-time', description: 'records from this time on (inclusive)' })),
    periodTo: Type.Optional(Type.String({ format: 'date-time', description: 'records before this time (exclusive)' })),
    expiresAt: Type.String({ format: 'date-time', description: `when the access ends; at most ${MAX_GRANT_DAYS} days ahead` }),
    rationale: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false, description: 'Either auditorId (an existing user) or newAuditor (created with the grant)' },
);
export type CreateGrantBody = Static<typeof CreateGrantBody>;

export const RevokeGrantBody = Type.Object({ rationale: Type.String({ maxLength: 2000 }) }, { additionalProperties: false });

export const GrantListQuery = Type.Object(
  {
    auditorId: Type.Optional(Id),
    status: Type.Optional(Type.Union(GRANT_STATUSES.map((s) => Type.Literal(s)))),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type GrantListQuery = Static<typeof GrantListQuery>;

export const GrantView = component(
  'AuditorGrant',
  Type.Object({
    id: Type.String(),
    auditorId: Type.String(),
    auditorName: Nullable(Type.String()),
    auditorEmail: Type.String(),
    systemId: Nullable(Type.String({ description: 'null: every system' })),
    framework: Nullable(Type.String({ description: 'null: every framework' })),
    periodFrom: Nullable(Type.String()),
    periodTo: Nullable(Type.String()),
    expiresAt: Type.String(),
    rationale: Type.String(),
    status: StringEnum(GRANT_STATUSES),
    createdBy: Type.String(),
    createdByName: Nullable(Type.String()),
    createdAt: Type.String(),
    revokedAt: Nullable(Type.String()),
    revokedBy: Nullable(Type.String()),
    revokedByName: Nullable(Type.String()),
    revocationRationale: Nullable(Type.String()),
  }),
);
export type GrantView = Static<typeof GrantView>;

export const GrantReadsQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

export const GrantReadView = component(
  'AuditorGrantRead',
  Type.Object({
    seq: Type.Integer({ description: "the read's ledger event" }),
    recordedAt: Type.String(),
    method: Type.String(),
    route: Type.String({ description: 'the route pattern, e.g. /api/v1/systems/:id' }),
    url: Type.String({ description: 'the path and query as asked' }),
    status: Type.Integer({ description: 'the HTTP status answered' }),
  }),
);
export type GrantReadView = Static<typeof GrantReadView>;
