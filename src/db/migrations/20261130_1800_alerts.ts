// Monitoring: numeric metric points per system, monitors (a metric, a comparison and a threshold
// over a window) and the alerts their breaches raise. Frozen once merged.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('metric_points')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  // A monitor's window reads one range of one metric of one system.
  await db.schema.createIndex('metric_points_series_idx').on('metric_points').columns(['system_id', 'metric', 'at']).execute();

  await db.schema
    .createTable('monitors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('model_version_id', 'text')
    .addColumn('group_label', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('aggregation', 'text', (c) => c.notNull())
    .addColumn('comparison', 'text', (c) => c.notNull())
    .addColumn('threshold', 'double precision', (c) => c.notNull())
    .addColumn('window_seconds', 'integer', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('monitors_series_idx').on('monitors').columns(['system_id', 'metric', 'enabled']).execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('monitor_id', 'text')
    /** Alertmanager's fingerprint for alerts that arrive from an existing monitoring stack. */
    .addColumn('external_key', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    /** JSON: the computed values that caused it. */
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('fire_count', 'integer', (c) => c.notNull())
    .addColumn('fired_at', 'text', (c) => c.notNull())
    .addColumn('last_fired_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', 'text')
    .addColumn('acknowledged_by', 'text')
    .addColumn('ack_rationale', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('exception_id', 'text')
    .execute();
  // Deduplication: at most one open (firing or acknowledged) alert per monitor.
  await db.schema.createIndex('alerts_monitor_status_idx').on('alerts').columns(['monitor_id', 'status']).execute();
  await db.schema.createIndex('alerts_system_status_idx').on('alerts').columns(['system_id', 'status', 'fired_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
