// Request and response shapes of the Statement of Applicability API (TypeBox: validation and OpenAPI).

import { Type } from 'typebox';
import { SignerRef } from '../../governance/signer.schema.js';
import { component, Id, PageQuery } from '../../server/http.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const SoaSigner = SignerRef;

export const SoaEntryView = component(
  'SoaEntry',
  Type.Object({
    controlId: Type.String({ description: 'canonical Annex A control id, e.g. iso42001:A.2.2' }),
    title: Type.String(),
    applicable: Type.Boolean(),
    justification: Type.String(),
    version: Type.Integer({ description: 'the SoA version that last changed this entry (0: the unreviewed default)' }),
    approved: Type.Boolean({ description: 'false while the entry is the default nobody approved' }),
    approvalRequestId: Nullable(Type.String()),
    approvedAt: Nullable(Type.String({ format: 'date-time' })),
    approvedBy: Type.Array(SoaSigner, { description: 'who signed the soa_change request that set this entry' }),
  }),
);

export const SoaView = component(
  'StatementOfApplicability',
  Type.Object({
    version: Type.Integer({ description: '0: the default before any approval; each approved soa_change adds one' }),
    approved: Type.Boolean(),
    approvalRequestId: Nullable(Type.String()),
    approvedAt: Nullable(Type.String({ format: 'date-time' })),
    approvedBy: Type.Array(SoaSigner),
    entries: Type.Array(SoaEntryView),
  }),
);

export const SoaVersionSummary = component(
  'SoaVersionSummary',
  Type.Object({
    version: Type.Integer(),
    changes: Type.Array(
      Type.Object({ controlId: Type.String(), title: Type.String(), applicable: Type.Boolean(), justification: Type.String() }),
    ),
    approvalRequestId: Type.String(),
    requestedBy: Type.String(),
    requestedByName: Nullable(Type.String()),
    approvedBy: Type.Array(SoaSigner),
    appliedBy: Nullable(Type.String()),
    appliedByName: Nullable(Type.String()),
    approvedAt: Type.String({ format: 'date-time' }),
    changeRecordId: Type.String(),
  }),
);

export const SoaVersionsQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

export const SoaVersionParams = Type.Object(
  { n: Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'the version; 0 is the default' }) },
  {
    additionalProperties: false,
  },
);

export const SoaChangeBody = Type.Object(
  {
    entries: Type.Array(
      Type.Object(
        {
          controlId: Type.String({ minLength: 1, maxLength: 100, description: 'an Annex A control, e.g. iso42001:A.2.2 (or A.2.2)' }),
          applicable: Type.Boolean(),
          justification: Type.String({ minLength: 1, maxLength: 10_000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
    rationale: Type.String({ minLength: 1, maxLength: 10_000, description: 'why the SoA changes; the request justification' }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  },
  { additionalProperties: false },
);

export const SoaChangeRequestView = component(
  'SoaChangeRequest',
  Type.Object({
    id: Id,
    kind: Type.Literal('soa_change'),
    title: Type.String(),
    status: Type.Literal('pending'),
    contentDigest: Type.String(),
    policy: Type.Object({ id: Type.String(), version: Type.Integer() }),
    createdAt: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
  }),
);
