// Typed reads of API tokens (never their secrets).
import type { Kysely } from 'kysely';
import type { TokenScope } from '../context.js';
import type { Database } from '../db/schema.js';
import type { PageOf } from '../server/http.js';

export type TokenStatus = 'active' | 'revoked' | 'expired';

export interface TokenRecord {
  id: string;
  userId: string;
  userEmail: string;
  /** The owner's display name, from the same join as the email: no lookup of its own. */
  userName: string;
  name: string;
  scopes: TokenScope[];
  status: TokenStatus;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface TokenFilter {
  tokenId?: string;
  userId?: string;
  status?: TokenStatus;
  limit: number;
  offset: number;
}

export async function listTokens(db: Kysely<Database>, filter: TokenFilter, now = new Date()): Promise<PageOf<TokenRecord>> {
  const at = now.toISOString();
  let query = db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id');
  if (filter.tokenId) query = query.where('api_tokens.id', '=', filter.tokenId);
  if (filter.userId) query = query.where('api_tokens.user_id', '=', filter.userId);
  if (filter.status === 'revoked') query = query.where('api_tokens.revoked_at', 'is not', null);
  if (filter.status === 'active') query = query.where('api_tokens.revoked_at', 'is', null).where('api_tokens.expires_at', '>', at);
  if (filter.status === 'expired') query = query.where('api_tokens.revoked_at', 'is', null).where('api_tokens.expires_at', '<=', at);
  const [rows, count] = await Promise.all([
    query
      .select([
        'api_tokens.id',
        'api_tokens.user_id',
        'users.email',
        'users.display_name',
        'api_tokens.name',
        'api_tokens.scopes',
        'api_tokens.created_at',
        'api_tokens.expires_at',
        'api_tokens.revoked_at',
      ])
      .orderBy('api_tokens.created_at', 'desc')
      .orderBy('api_tokens.id', 'asc')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      userEmail: r.email,
      userName: r.display_name,
      name: r.name,
      scopes: r.scopes.split(',').filter(Boolean) as TokenScope[],
      status: r.revoked_at !== null ? 'revoked' : r.expires_at <= at ? 'expired' : 'active',
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
    })),
    total: Number(count.n),
    limit: filter.limit,
    offset: filter.offset,
  };
}
