// Factories: real use cases with sensible defaults, so tests say only what matters to them.
import { systemContext } from '../src/context.js';
import type { Store } from '../src/db/store.js';
import { createSystem, type NewSystem } from '../src/modules/systems/systems.service.js';

let n = 0;

export async function buildSystem(store: Store, overrides: Partial<NewSystem> = {}) {
  n += 1;
  return store.transact((trx) =>
    createSystem(trx, {
      ctx: systemContext('factory'),
      input: {
        name: `Test system ${n}`,
        purpose: 'Scores loan applications',
        intendedUse: 'Decision support for credit officers',
        aiType: 'machine_learning',
        deploymentKind: 'internal',
        ...overrides,
      },
    }),
  );
}
