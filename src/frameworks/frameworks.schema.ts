// Request and response shapes of the framework catalogs (GET /api/v1/frameworks...).
import { Type } from 'typebox';
import { EVENT_TYPES } from '../ledger/event-types.js';
import { component, PageQuery, StringEnum } from '../server/http.js';

/** The kinds of catalog entries, and the scopes a provision applies to (EU AI Act dates). */
export const ENTRY_KINDS = ['clause', 'control', 'objective', 'function', 'category', 'subcategory', 'article', 'annex'] as const;
export const APPLICATION_SCOPES = ['all', 'high-risk-annex-i', 'high-risk-annex-iii'] as const;

export const FrameworkView = Type.Object({
  id: Type.String({ description: 'the framework id, the prefix of its control ids: iso42001, nist-ai-rmf, eu-ai-act, gdpr, dora' }),
  title: Type.String(),
  short: Type.String(),
  version: Type.String(),
  publisher: Type.String(),
  license: Type.String({ description: 'what of the framework the catalog may carry, and why' }),
  attribution: Type.String(),
  source: Type.String(),
  catalogVersion: Type.Integer({ description: "the version of Proofline's catalog file" }),
  controlCount: Type.Integer({ description: 'entries in the catalog (clauses, controls, categories, articles, ...)' }),
  kinds: Type.Record(Type.String(), Type.Integer(), { description: 'entries by kind' }),
  entryIntoForce: Type.Optional(Type.String()),
  amendments: Type.Optional(
    Type.Array(Type.Object({ act: Type.String(), inForce: Type.String(), source: Type.String(), note: Type.String() })),
  ),
});

export const FrameworkList = Type.Object({ items: Type.Array(FrameworkView) });

export const FrameworkParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

export const ControlQuery = Type.Object(
  {
    kind: Type.Optional(
      Type.String({ minLength: 1, maxLength: 50, description: 'only entries of this kind, e.g. control, subcategory, article' }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const ControlView = component(
  'Control',
  Type.Object({
    controlId: Type.String({ description: 'canonical id: <framework>:<id>' }),
    framework: Type.String(),
    id: Type.String({ description: 'the id within the framework' }),
    title: Type.String(),
    kind: StringEnum(ENTRY_KINDS),
    parent: Type.Union([Type.String(), Type.Null()], { description: 'canonical id of the parent entry' }),
    description: Type.String(),
    location: Type.Optional(Type.String()),
    applies: Type.Optional(
      Type.Array(
        Type.Object({
          scope: StringEnum(APPLICATION_SCOPES),
          from: Type.String({ description: 'date of application (YYYY-MM-DD)' }),
          originallyFrom: Type.Optional(Type.String()),
          amendedBy: Type.Optional(Type.String()),
          note: Type.Optional(Type.String()),
        }),
      ),
    ),
    crosswalk: Type.Array(
      Type.Object({
        controlId: Type.String({ description: 'the control at the other end of the link' }),
        relationship: Type.String({ description: 'from this control to that one (NIST IR 8477)' }),
        source: Type.String(),
        note: Type.Optional(Type.String()),
      }),
    ),
    evidencedBy: Type.Array(
      Type.Object({
        eventType: StringEnum(EVENT_TYPES),
        fact: Type.Union([Type.String(), Type.Null()], { description: 'null: every event of the type; else only when this holds' }),
      }),
    ),
  }),
);
