// A pause made through one server process and read through another: the people it needs (a roster
// officer who may pause, a service with an ingest token), written directly, and the read that
// follows the runtime state. Used by the tests of two servers on one database.
import { createApiToken } from '../src/accounts/auth.service.js';
import { createUser } from '../src/accounts/users.service.js';
import { type Role, systemContext } from '../src/context.js';
import type { Store } from '../src/db/store.js';
import { addRosterOfficer } from '../src/modules/oversight/oversight.service.js';

/** An officer on `systemId`'s roster with the pause authority (a write token) and a scoring service
 * (an ingest token, with `serviceRoles`); returns both tokens. */
export async function pauseOfficerAndService(store: Store, systemId: string, serviceRoles: Role[] = []) {
  const ctx = systemContext('test');
  return store.transact(async (trx) => {
    const officer = await createUser(trx, { ctx, user: { email: 'officer@example.test', displayName: 'Officer' } });
    const service = await createUser(trx, {
      ctx,
      user: { email: 'svc@example.test', displayName: 'Scoring service', roles: serviceRoles },
    });
    await addRosterOfficer(trx, {
      ctx,
      systemId,
      input: { userId: officer.id, authorities: ['pause'], competence: 'trained', training: '' },
    });
    const officerToken = await createApiToken(trx, {
      ctx,
      token: { userId: officer.id, name: 'cli', scopes: ['write'], expiresInDays: 1 },
    });
    const ingestToken = await createApiToken(trx, {
      ctx,
      token: { userId: service.id, name: 'svc', scopes: ['ingest'], expiresInDays: 1 },
    });
    return { officerToken: officerToken.token, ingestToken: ingestToken.token };
  });
}

/** The runtime state (`active`, `paused`, ...) of `systemId` as the server at `url` answers the service. */
export async function runtimeState(url: string, systemId: string, ingestToken: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/systems/${systemId}/runtime`, { headers: { authorization: `Bearer ${ingestToken}` } });
  if (res.status !== 200) throw new Error(`runtime state answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { state: string }).state;
}

/** Pauses `systemId` through `from` as the officer, then reads `to` every 20 ms until it says paused or
 * 1.5 s have passed; returns the last state read and the milliseconds since the pause was answered. */
export async function pauseAndFollow(
  { from, to }: { from: string; to: string },
  systemId: string,
  tokens: { officerToken: string; ingestToken: string },
): Promise<{ state: string; elapsed: number }> {
  const paused = await fetch(`${from}/api/v1/systems/${systemId}/runtime/pause`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.officerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'serious incident reported' }),
  });
  if (paused.status !== 200) throw new Error(`pause answered ${paused.status}: ${await paused.text()}`);
  const pausedAt = Date.now();
  let state = await runtimeState(to, systemId, tokens.ingestToken);
  while (state !== 'paused' && Date.now() - pausedAt < 1_500) {
    await new Promise((r) => setTimeout(r, 20));
    state = await runtimeState(to, systemId, tokens.ingestToken);
  }
  return { state, elapsed: Date.now() - pausedAt };
}
