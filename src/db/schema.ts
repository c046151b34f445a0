// Table types for Kysely. Each feature declares its own tables next to its code
// (<feature>.tables.ts); this file composes them into the one Database type.
import type { AuthTables } from '../modules/auth/auth.tables.js';
import type { SystemsTables } from '../modules/systems/systems.tables.js';
import type { LedgerTables } from '../ledger/ledger.tables.js';

export interface Database extends AuthTables, LedgerTables, SystemsTables {}
