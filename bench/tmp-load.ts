import pg from 'pg';
import { serverEnv, signInAdmin, startServerProcess } from '../test/server-process.js';
const base = process.env.PROOFLINE_TEST_PG_URL as string;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
const name = `tmpload_${Date.now()}`;
await admin.query(`create database ${name}`);
const url = base.replace(/\/postgres$/, `/${name}`);
const env = serverEnv(url, { PROOFLINE_LOG_LEVEL: 'error', PROOFLINE_CHECKPOINT_INTERVAL_SECONDS: '0' });
const server = await startServerProcess(env, 60_000, ['bin/proofline.mjs']);
const session = await signInAdmin(server.url);
const res = await fetch(`${server.url}/api/v1/tokens`, { method: 'POST', headers: session, body: JSON.stringify({ name: 'b', scopes: ['read', 'write'] }) });
const { token } = (await res.json()) as { token: string };
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
let next = 0; let errors = 0;
const N = Number(process.env.N ?? 2000), C = Number(process.env.C ?? 16);
const t0 = performance.now();
const times: number[] = [];
await Promise.all(Array.from({ length: C }, async () => {
  while (next < N) {
    const i = next++;
    const t = performance.now();
    const r = await fetch(`${server.url}/api/v1/systems`, { method: 'POST', headers, body: JSON.stringify({ name: `S ${i}`, purpose: 'Ranks support tickets', intendedUse: 'Triage assistance for the support desk', aiType: 'machine_learning', deploymentKind: 'internal' }) });
    times.push(performance.now() - t);
    if (r.status !== 201) { errors++; if (errors < 3) console.log(r.status, await r.text()); } else await r.arrayBuffer();
  }
}));
const el = performance.now() - t0;
times.sort((a, b) => a - b);
console.log({ rate: (N / el) * 1000, median: times[times.length >> 1], p99: times[Math.floor(times.length * 0.99)], errors });
await server.stop();
console.log(server.output().split('\n').filter((l) => l.includes('error') || l.includes('Error')).slice(0, 5).join('\n'));
await admin.end();
