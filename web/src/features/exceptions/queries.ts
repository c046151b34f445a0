// The exceptions area's queries; every key starts with 'exceptions', so one invalidation after a
// step refreshes the board, the lists and the pages.
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Query } from '../../api/types';

export const exceptionsQuery = (query: Query<'listExceptions'>) =>
  queryOptions({
    queryKey: ['exceptions', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/exceptions', { params: { query } })),
  });

export const exceptionQuery = (id: string) =>
  queryOptions({
    queryKey: ['exceptions', id, 'detail'],
    queryFn: () => unwrap(api.GET('/api/v1/exceptions/{id}', { params: { path: { id } } })),
  });

export const incidentsQuery = (query: Query<'listIncidents'>) =>
  queryOptions({
    queryKey: ['exceptions', 'incidents', query],
    queryFn: () => unwrap(api.GET('/api/v1/incidents', { params: { query } })),
  });

export const incidentQuery = (id: string) =>
  queryOptions({
    queryKey: ['exceptions', id, 'incident'],
    queryFn: () => unwrap(api.GET('/api/v1/incidents/{id}', { params: { path: { id } } })),
  });
