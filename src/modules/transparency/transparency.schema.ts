// Request and response schemas of the public transparency pages and their editing.
import { Type } from 'typebox';
import { component, PageQuery } from '../../server/http.js';

const Text = (description: string, maxLength = 4000) => Type.String({ maxLength, description });

const TextFields = {
  publicName: Text('the name the public knows the system by', 200),
  whatItDoes: Text('what the system does, in plain words'),
  whatItDoesNot: Text('what it does not do or decide'),
  humanReview: Text('whether a person reviews its outputs, and when'),
  overseenBy: Text('who oversees it: a published role or name', 400),
  howToChallenge: Text('how a person challenges a decision (the appeal form takes this page’s reference)'),
};

export const PublicationBody = Type.Object(
  {
    published: Type.Boolean({ description: 'shown on the public pages; publishing needs every text' }),
    ...TextFields,
    rationale: Type.String({ minLength: 1, maxLength: 4000, description: 'why this change (recorded in the ledger)' }),
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'the version you read; required once the page exists' })),
  },
  { additionalProperties: false },
);

export const PublicationView = Type.Object({
  systemId: Type.String(),
  publicRef: Type.String({ description: 'the reference the public sees, e.g. PL-7K3Q9D' }),
  published: Type.Boolean(),
  publicName: Type.String(),
  whatItDoes: Type.String(),
  whatItDoesNot: Type.String(),
  humanReview: Type.String(),
  overseenBy: Type.String(),
  howToChallenge: Type.String(),
  publishedAt: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String(),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
  updatedByName: Type.Union([Type.String(), Type.Null()], { description: "the editor's display name" }),
  version: Type.Integer(),
});

export const PublicSystemView = component(
  'PublicSystem',
  Type.Object({
    ref: Type.String({ description: 'the public reference; give it when you challenge a decision' }),
    name: Type.String(),
    whatItDoes: Type.String(),
    whatItDoesNot: Type.String(),
    humanReview: Type.String(),
    overseenBy: Type.String(),
    howToChallenge: Type.String(),
    publishedAt: Type.String(),
    updatedAt: Type.String(),
    state: Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('restricted')], {
      description: 'what the system may do right now: active, paused (stopped by its overseers) or restricted (under conditions)',
    }),
  }),
);

export const PublicRefParams = Type.Object(
  { ref: Type.String({ minLength: 1, maxLength: 20, description: 'the public reference, e.g. PL-7K3Q9D' }) },
  { additionalProperties: false },
);

export const PublicListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
