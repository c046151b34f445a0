// Table types for Kysely. Each feature declares its own tables next to its code
// (<feature>.tables.ts); this file composes them into the one Database type.

import type { AccountsTables } from '../accounts/accounts.tables.js';
import type { ApprovalsTables } from '../governance/approvals.tables.js';
import type { SoaTables } from '../governance/soa.tables.js';
import type { LedgerTables } from '../ledger/ledger.tables.js';
import type { AlertsTables } from '../modules/alerts/alerts.tables.js';
import type { AppealsTables } from '../modules/appeals/appeals.tables.js';
import type { AuditorGrantsTables } from '../modules/auditor-grants/auditor-grants.tables.js';
import type { ControlsTables } from '../modules/controls/controls.tables.js';
import type { DashboardTables } from '../modules/dashboard/dashboard.tables.js';
import type { DecisionsTables } from '../modules/decisions/decisions.tables.js';
import type { ExceptionsTables } from '../modules/exceptions/exceptions.tables.js';
import type { FeedbackTables } from '../modules/feedback/feedback.tables.js';
import type { MonitoringTables } from '../modules/monitoring/monitoring.tables.js';
import type { OversightTables } from '../modules/oversight/oversight.tables.js';
import type { ReviewsTables } from '../modules/reviews/reviews.tables.js';
import type { SystemsTables } from '../modules/systems/systems.tables.js';
import type { TransparencyTables } from '../modules/transparency/transparency.tables.js';
import type { NotificationsTables } from '../notifications/notifications.tables.js';
import type { CoordinationTables } from './coordination.tables.js';

export interface Database
  extends AccountsTables,
    LedgerTables,
    SystemsTables,
    NotificationsTables,
    ApprovalsTables,
    ExceptionsTables,
    OversightTables,
    DecisionsTables,
    AppealsTables,
    CoordinationTables,
    TransparencyTables,
    DashboardTables,
    AlertsTables,
    ControlsTables,
    ReviewsTables,
    MonitoringTables,
    SoaTables,
    AuditorGrantsTables,
    FeedbackTables {}
