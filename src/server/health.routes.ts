// Liveness and readiness: /healthz answers while the process runs; /readyz checks the database.
import { sql } from 'kysely';
import { migrationsPending } from '../db/migrate.js';
import type { App, AppDeps } from './http.js';

export function healthRoutes(app: App, { store }: AppDeps) {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await sql`select 1`.execute(store.db);
      const pending = await migrationsPending(store.db);
      if (pending.length > 0) return reply.status(503).send({ status: 'migrations pending', pending });
      return { status: 'ready', database: store.dialect };
    } catch (error) {
      return reply.status(503).send({ status: 'database unreachable', message: (error as Error).message });
    }
  });
}
