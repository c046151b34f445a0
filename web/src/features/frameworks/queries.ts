// The frameworks area's queries. The catalogs ship with the code (never stale within a session);
// status and gaps are evaluated by the server when asked.
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Answer } from '../../api/types';

export type Framework = Answer<'listFrameworks'>['items'][number];
export type CatalogControl = Answer<'listControls'>['items'][number];
export type StatusReport = Answer<'loadControlStatus'>;
export type StatusItem = StatusReport['items'][number];
export type Gap = Answer<'loadControlGaps'>['items'][number];
export type EvidenceEvent = Answer<'listEvents'>['items'][number];

export const frameworksQuery = queryOptions({
  queryKey: ['frameworks', 'catalogs'],
  queryFn: () => unwrap(api.GET('/api/v1/frameworks')),
  staleTime: Number.POSITIVE_INFINITY,
});

/** Every entry of one framework's catalog (at most a few hundred), read a page of 500 at a time. */
export const catalogQuery = (framework: string) =>
  queryOptions({
    queryKey: ['frameworks', 'catalog', framework],
    queryFn: async () => {
      const items: CatalogControl[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = await unwrap(
          api.GET('/api/v1/frameworks/{id}/controls', { params: { path: { id: framework }, query: { limit: 500, offset } } }),
        );
        items.push(...page.items);
        if (page.items.length === 0 || items.length >= page.total) return items;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });

export const statusQuery = (framework: string, system?: string) =>
  queryOptions({
    queryKey: ['frameworks', 'status', framework, system ?? null],
    queryFn: () => unwrap(api.GET('/api/v1/controls/status', { params: { query: { framework, ...(system ? { system } : {}) } } })),
  });

export const gapsQuery = (framework: string, system?: string) =>
  queryOptions({
    queryKey: ['frameworks', 'gaps', framework, system ?? null],
    queryFn: () => unwrap(api.GET('/api/v1/controls/gaps', { params: { query: { framework, ...(system ? { system } : {}) } } })),
  });

export const evidenceQuery = (control: string, limit: number, offset: number) =>
  queryOptions({
    queryKey: ['frameworks', 'evidence', control, limit, offset],
    queryFn: () => unwrap(api.GET('/api/v1/ledger/events', { params: { query: { control, limit, offset } } })),
  });
