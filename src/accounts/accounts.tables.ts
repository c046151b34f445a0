import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  status: 'active' | 'deactivated';
  failed_logins: Generated<number>;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

/** A role held globally (scope '') or for one AI system (scope = system id). */
export interface UserRolesTable {
  user_id: string;
  role: string;
  scope: string;
  granted_at: string;
  granted_by: string | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  source_address: string | null;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  scopes: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** One row (id 1): moves whenever users, user_roles, api_tokens or sessions change (triggers). */
export interface AuthEpochTable {
  id: number;
  n: number;
}

export interface AccountsTables {
  auth_epoch: AuthEpochTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
}
