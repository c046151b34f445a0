// The role vocabulary as people read it (the server's names are the values).
export const ROLE_LABELS: Record<string, string> = {
  admin: 'Administrator',
  governance_lead: 'Governance lead',
  system_owner: 'System owner',
  approver: 'Approver',
  reviewer: 'Reviewer',
  oversight_officer: 'Oversight officer',
  auditor: 'Auditor (reads everything, changes nothing)',
  contributor: 'Contributor',
  external_auditor: 'External auditor (reads only what a grant allows)',
};

export const ROLE_OPTIONS = Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }));

/** Per-system roles as editable rows, and back (empty rows dropped, duplicates merged). */
export interface SystemRoleRow {
  systemId: string;
  roles: string[];
}

export function toRows(systemRoles: Record<string, string[]>): SystemRoleRow[] {
  return Object.entries(systemRoles).map(([systemId, roles]) => ({ systemId, roles: [...roles] }));
}

export function fromRows(rows: SystemRoleRow[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const row of rows) {
    const id = row.systemId.trim();
    if (!id || row.roles.length === 0) continue;
    out[id] = [...new Set([...(out[id] ?? []), ...row.roles])];
  }
  return out;
}
