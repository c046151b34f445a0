// Request and response schemas of feedback and support tickets.
import { type Static, Type } from 'typebox';
import { component, Id, PageQuery, StringEnum } from '../../server/http.js';
import { FEEDBACK_CATEGORIES, FEEDBACK_CHANNELS } from './feedback.tables.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Category = StringEnum(FEEDBACK_CATEGORIES, { description: 'what the feedback is about' });

const feedbackFields = {
  systemId: Id,
  category: Category,
  summary: Type.String({ minLength: 1, maxLength: 200 }),
  details: Type.String({ minLength: 1, maxLength: 4000 }),
  decisionId: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: "the decision it concerns, as recorded for the system (the system's own decision id)",
    }),
  ),
};

export const NewFeedbackBody = Type.Object(feedbackFields, { additionalProperties: false });
export type NewFeedbackBody = Static<typeof NewFeedbackBody>;

export const NewTicketBody = Type.Object(
  {
    ...feedbackFields,
    externalRef: Type.String({ minLength: 1, maxLength: 200, description: "the ticket's reference in the support system" }),
  },
  { additionalProperties: false },
);

export const FeedbackView = component(
  'Feedback',
  Type.Object({
    id: Id,
    systemId: Id,
    category: Category,
    summary: Type.String(),
    details: Type.String(),
    decisionId: Nullable(Type.String()),
    channel: StringEnum(FEEDBACK_CHANNELS),
    externalRef: Nullable(Type.String()),
    submittedBy: Nullable(Type.String()),
    submittedByName: Nullable(Type.String()),
    exceptionId: Nullable(Type.String({ description: 'the exception it was converted into' })),
    convertedBy: Nullable(Type.String()),
    convertedByName: Nullable(Type.String()),
    convertedAt: Nullable(Type.String({ format: 'date-time' })),
    createdAt: Type.String({ format: 'date-time' }),
  }),
);

export const FeedbackQuery = Type.Object(
  {
    systemId: Type.Optional(Id),
    category: Type.Optional(Category),
    converted: Type.Optional(Type.Boolean({ description: 'true: converted into an exception; false: not yet' })),
    decisionId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const ConvertBody = Type.Object(
  {
    severity: Type.Optional(StringEnum(['low', 'medium', 'high', 'critical'] as const)),
    ownerId: Type.Optional(Id),
    resolverId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

export const ConvertedView = Type.Object({ feedback: FeedbackView, exceptionId: Id });
