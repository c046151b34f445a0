// The frameworks area's rules: where a gap is fixed, which page holds an event's record, control
// ids in URLs, and a framework's gaps through the crosswalk.
import { describe, expect, it } from 'vitest';
import { validateControlSearch, validateFrameworkSearch, validateGapsSearch } from '../../routes/frameworks.routes';
import { fixPageOf, recordPageOf, splitControlId } from './model';

describe('fixPageOf: the page where a gap is fixed', () => {
  it('maps every path the server names (controls.rules.ts FIX_AT) to its page and filter', () => {
    expect(fixPageOf('/api/v1/systems/s1')).toMatchObject({ to: '/systems/$systemId', params: { systemId: 's1' } });
    expect(fixPageOf('/api/v1/systems/s1/oversight/roster')).toMatchObject({ to: '/oversight', search: { system: 's1' } });
    expect(fixPageOf('/api/v1/approvals/requests')).toMatchObject({ to: '/approvals', search: { tab: 'all' } });
    expect(fixPageOf('/api/v1/exceptions?systemId=s1&overdue=true')).toMatchObject({
      to: '/exceptions',
      search: { system: 's1', overdue: true },
    });
    expect(fixPageOf('/api/v1/incidents?systemId=s1')).toMatchObject({ to: '/incidents', search: { system: 's1' } });
    expect(fixPageOf('/api/v1/ledger/verify')).toMatchObject({ to: '/ledger' });
  });

  it('answers null for a path no page shows', () => {
    expect(fixPageOf('/api/v1/something/else')).toBeNull();
  });
});

describe('recordPageOf: the page of the record an event is about', () => {
  it('follows the subject: system, approval request, exception or incident, appeal', () => {
    expect(recordPageOf({ type: 'system.created', subject: { type: 'ai_system', id: 's1' } })).toMatchObject({
      to: '/systems/$systemId',
      params: { systemId: 's1' },
    });
    expect(recordPageOf({ type: 'approval.decided', subject: { type: 'approval_request', id: 'r1' } })).toMatchObject({
      to: '/approvals/$requestId',
      params: { requestId: 'r1' },
    });
    expect(recordPageOf({ type: 'exception.opened', subject: { type: 'exception', id: 'e1' } })).toMatchObject({
      to: '/exceptions/$exceptionId',
    });
    expect(recordPageOf({ type: 'incident.classified', subject: { type: 'exception', id: 'e1' } })).toMatchObject({
      to: '/incidents/$incidentId',
      params: { incidentId: 'e1' },
    });
    expect(recordPageOf({ type: 'appeal.filed', subject: { type: 'appeal', id: 'a1' } })).toMatchObject({ to: '/appeals/$appealId' });
  });

  it("falls back to the event's AI system, and to nothing when it names none", () => {
    expect(
      recordPageOf({ type: 'model_version.added', subject: { type: 'model_version', id: 'm1' }, data: { systemId: 's2' } }),
    ).toMatchObject({
      params: { systemId: 's2' },
    });
    expect(recordPageOf({ type: 'auth.login', subject: { type: 'user', id: 'u1' } })).toBeNull();
    expect(recordPageOf(null)).toBeNull();
  });
});

describe('control ids and search parameters', () => {
  it('splits a canonical control id at its first colon', () => {
    expect(splitControlId('iso42001:A.9.2')).toEqual({ framework: 'iso42001', control: 'A.9.2' });
    expect(splitControlId('gdpr:art-33')).toEqual({ framework: 'gdpr', control: 'art-33' });
  });

  it('keeps only known values in the URL', () => {
    expect(validateFrameworkSearch({ status: 'partly', system: ' s1 ', other: 'x' })).toEqual({ status: 'partly', system: 's1' });
    expect(validateFrameworkSearch({ status: 'bogus' })).toEqual({});
    expect(validateGapsSearch({ framework: 'gdpr', group: 'control' })).toEqual({ framework: 'gdpr', group: 'control' });
    expect(validateGapsSearch({ group: 'system' })).toEqual({});
    expect(validateControlSearch({ page: '3' })).toEqual({ page: 3 });
    expect(validateControlSearch({ page: '1' })).toEqual({});
  });
});
