// Admin HTTP for webhook subscriptions: create (the secret is returned once), list, deactivate.
import { Type } from 'typebox';
import { type App, type AppDeps, component, errorResponses, Id, IdParams, Page, PageQuery, requestContext } from '../server/http.js';
import { deactivateWebhook, subscribeWebhook } from './webhooks.service.js';

const tags = ['webhooks'];
const SubscriptionView = component(
  'WebhookSubscription',
  Type.Object({
    id: Id,
    url: Type.String(),
    events: Type.Array(Type.String()),
    active: Type.Boolean(),
    createdAt: Type.String(),
    createdBy: Type.Union([Type.String(), Type.Null()]),
  }),
);
const CreatedView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  active: Type.Boolean(),
  secret: Type.String(),
});
const CreateBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000 }),
    events: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);
const DeactivateBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
const ListQuery = Type.Object({ active: Type.Optional(Type.Boolean()), ...PageQuery }, { additionalProperties: false });
const admin = { access: { roles: ['admin'], scope: 'write' } } as const;

export function webhooksRoutes(app: App, { store }: AppDeps) {
  app.post(
    '/api/v1/webhooks',
    {
      schema: {
        operationId: 'subscribeWebhook',
        summary: 'Subscribe a webhook',
        tags,
        body: CreateBody,
        response: { 201: CreatedView, ...errorResponses },
      },
      config: admin,
    },
    async (req, reply) => {
      const created = await store.transact((trx) => subscribeWebhook(trx, { ctx: requestContext(req), input: req.body }));
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/v1/webhooks',
    {
      schema: {
        operationId: 'listWebhooks',
        summary: 'List webhooks',
        tags,
        querystring: ListQuery,
        response: { 200: Page(SubscriptionView), ...errorResponses },
      },
      config: { access: { roles: ['admin'], scope: 'read' } },
    },
    async (req) => {
      const { limit = 50, offset = 0, active } = req.query;
      let query = store.db.selectFrom('webhook_subscriptions');
      if (active !== undefined) query = query.where('active', '=', active ? 1 : 0);
      const { n } = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await query
        .select(['id', 'url', 'events', 'active', 'created_at', 'created_by'])
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute();
      const items = rows.map((r) => ({
        id: r.id,
        url: r.url,
        events: JSON.parse(r.events) as string[],
        active: r.active === 1,
        createdAt: r.created_at,
        createdBy: r.created_by,
      }));
      return { items, total: Number(n), limit, offset };
    },
  );

  app.post(
    '/api/v1/webhooks/:id/deactivate',
    {
      schema: {
        operationId: 'deactivateWebhook',
        summary: 'Deactivate a webhook',
        tags,
        params: IdParams,
        body: DeactivateBody,
        response: { 200: Type.Omit(CreatedView, ['secret']), ...errorResponses },
      },
      config: admin,
    },
    async (req) =>
      store.transact((trx) => deactivateWebhook(trx, { ctx: requestContext(req), id: req.params.id, reason: req.body.reason })),
  );
}
