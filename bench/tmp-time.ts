import pg from 'pg';
const c = new pg.Client({ connectionString: process.env.PROOFLINE_TEST_PG_URL });
await c.connect();
await c.query('create temp table t (id int)');
for (const q of ['select 1', 'begin; select pg_advisory_xact_lock(1); select 1; select 2', 'begin; select 1', 'insert into t values (1); commit']) {
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) { await c.query(q); if (q.startsWith('begin')) await c.query('commit'); }
  console.log(q, (performance.now() - t0) / 50);
}
await c.end();
