import type { ControlStatus } from './controls.rules.js';

/** The status last computed for a control in a scope ('' = the organisation, else a system id). */
export interface ControlStatusTable {
  control_id: string;
  scope: string;
  status: ControlStatus;
  since: string;
}

/** Each change of a control's status in a scope; from_status null on its first computation. */
export interface ControlStatusTransitionsTable {
  control_id: string;
  scope: string;
  from_status: ControlStatus | null;
  to_status: ControlStatus;
  changed_at: string;
}

export interface ControlsTables {
  control_status: ControlStatusTable;
  control_status_transitions: ControlStatusTransitionsTable;
}
