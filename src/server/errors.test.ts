// The HTTP edge: one error shape with stable codes, no stack traces, nothing written on bad input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { ledgerSize } from '../../test/stores.js';

describe('HTTP errors', () => {
  let t: TestApp;
  let admin: TestUser;
  before(async () => {
    t = await createTestApp('sqlite', { PROOFLINE_BODY_LIMIT_BYTES: '2048' });
    admin = await t.user(['admin']);
  });
  after(() => t.close());

  test('an oversized body gets 413 payload_too_large and writes nothing', async () => {
    const before = await ledgerSize(t.store);
    const res = await t.call(admin, 'POST', '/api/v1/systems', {
      name: 'x'.repeat(5000),
      purpose: 'p',
      intendedUse: 'u',
      aiType: 'other',
      deploymentKind: 'internal',
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'payload_too_large');
    assert.equal(await ledgerSize(t.store), before);
  });

  test('malformed JSON gets 400 invalid_json', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/systems',
      payload: '{"name": ',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_json');
  });

  test('a body that is not JSON gets 415 unsupported_media_type and writes nothing', async () => {
    const before = await ledgerSize(t.store);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/systems',
      payload: 'name=x',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.statusCode, 415);
    assert.equal(res.json().error.code, 'unsupported_media_type');
    assert.equal(await ledgerSize(t.store), before);
  });

  test('a wrong type gets 400 naming the field', async () => {
    const res = await t.call(admin, 'POST', '/api/v1/systems', {
      name: 42,
      purpose: 'p',
      intendedUse: 'u',
      aiType: 'other',
      deploymentKind: 'internal',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'validation_failed');
    assert.equal(res.json().error.details.field, 'body.name');
  });

  test('an unknown route gets 404 in the same error shape, with a request id header', async () => {
    const res = await t.call(admin, 'GET', '/api/v1/nothing-here');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'not_found');
    assert.ok(res.headers['x-request-id']);
  });

  test('health and readiness answer without credentials', async () => {
    assert.equal((await t.call(null, 'GET', '/healthz')).statusCode, 200);
    const ready = await t.call(null, 'GET', '/readyz');
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().status, 'ready');
  });

  test('browsable API docs are served', async () => {
    const res = await t.call(null, 'GET', '/api/docs/');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /swagger/i);
  });
});
