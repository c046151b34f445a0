// Reading the ledger over HTTP: events by subject, actor, type or time; proofs; checkpoints.
import { Type } from 'typebox';
import { type App, type AppDeps, Page, PageQuery } from '../server/http.js';
import { listEvents } from './ledger.repository.js';

const EventView = Type.Object({
  seq: Type.Integer(),
  eventId: Type.String(),
  type: Type.String(),
  recordedAt: Type.String(),
  event: Type.Unknown(),
});

export function ledgerRoutes(app: App, { store }: AppDeps) {
  app.get(
    '/api/v1/ledger/events',
    {
      schema: {
        tags: ['ledger'],
        querystring: Type.Object(
          {
            subjectType: Type.Optional(Type.String({ maxLength: 100 })),
            subjectId: Type.Optional(Type.String({ maxLength: 200 })),
            actorId: Type.Optional(Type.String({ maxLength: 200 })),
            type: Type.Optional(Type.String({ maxLength: 200 })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(EventView) },
      },
      config: { access: { roles: ['admin', 'auditor', 'governance_lead'], scope: 'read' } },
    },
    async (req) => listEvents(store.db, { ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }),
  );
}
