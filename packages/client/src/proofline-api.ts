// The typed API client: every Proofline endpoint, its parameters, bodies and answers typed from
// the server's OpenAPI document (api.ts, generated), over openapi-fetch. For integrators who read
// and write the inventory, approvals or the ledger; an AI service that only checks its status and
// reports decisions wants ProoflineClient (proofline-client.ts).
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './api.js';

export type ProoflineApi = Client<paths>;

export interface ProoflineApiOptions {
  /** e.g. https://proofline.example.com (the paths start with /api/v1). */
  baseUrl: string;
  /** An API token (`proofline tokens create`); sent as `Authorization: Bearer`. Token requests
   * need no CSRF header; the scopes of the token decide what it may do. */
  token: string;
  /** A fetch of your own (tests, proxies, retries); default the platform's. */
  fetch?: ClientOptions['fetch'];
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

/**
 * A client typed by Proofline's API: `GET`, `POST`, `PATCH`, `PUT`, `DELETE` take the path as
 * the OpenAPI document writes it, and answer `{ data }` or `{ error }` (the stable error object).
 *
 * @param options where Proofline is and the token to use
 * @example
 * const api = createProoflineApi({ baseUrl: 'https://proofline.example.com', token });
 * const { data, error } = await api.GET('/api/v1/systems', { params: { query: { status: 'in_production' } } });
 * if (error) throw new Error(error.error.code);
 * for (const system of data.items) console.log(system.name);
 */
export function createProoflineApi(options: ProoflineApiOptions): ProoflineApi {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { ...options.headers, authorization: `Bearer ${options.token}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
