// Which browser URLs get the app shell: pages (deep links included, dotted ids such as a control's
// when a browser navigates there), never the API, assets or a missing file a script or image asks for.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { wantsAppShell } from './web.js';

const NAVIGATION = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const ask = (url: string, accept = NAVIGATION, method = 'GET') => wantsAppShell({ method, url, headers: { accept } });

describe('the app shell', () => {
  test('answers a page, a deep link and a page whose last segment holds dots when a browser navigates there', () => {
    assert.equal(ask('/systems'), true);
    assert.equal(ask('/frameworks/iso42001?status=partly'), true);
    assert.equal(ask('/frameworks/iso42001/controls/A.9.2'), true);
    assert.equal(ask('/frameworks/iso42001/controls/A.9.2', '*/*'), false);
  });

  test('never answers the API, assets, operational paths, a missing file or a write', () => {
    assert.equal(ask('/api/v1/nothing'), false);
    assert.equal(ask('/assets/missing.js'), false);
    assert.equal(ask('/metrics'), false);
    assert.equal(ask('/favicon.ico', 'image/avif,image/webp,*/*'), false);
    assert.equal(ask('/missing.js', '*/*'), false);
    assert.equal(ask('/systems', NAVIGATION, 'POST'), false);
  });
});
