// The calendar feed's address: from PROOFLINE_PUBLIC_URL when it is set, otherwise from the origin the
// request reached (so a browser that came in at another host or port gets an address it can read).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { DIALECTS } from '../../../test/stores.js';

const FEED = '/api/v1/reviews/calendar.ics?token=';

for (const dialect of DIALECTS) {
  describe(`the calendar feed address [${dialect}]`, () => {
    let bare: TestApp;
    let configured: TestApp;
    let person: TestUser;
    let other: TestUser;
    before(async () => {
      bare = await createTestApp(dialect);
      configured = await createTestApp(dialect, { PROOFLINE_PUBLIC_URL: 'https://governance.example.com/' });
      person = await bare.user(['contributor']);
      other = await configured.user(['contributor']);
    });
    after(async () => {
      await bare?.close();
      await configured?.close();
    });

    test('without a public URL: built from the Host the request reached, and it reads the feed', async () => {
      const issued = await bare.call(person, 'POST', '/api/v1/reviews/calendar-token', undefined, { host: 'proofline.internal:9443' });
      assert.equal(issued.statusCode, 201, issued.body);
      const { url, token } = issued.json();
      assert.equal(url, `http://proofline.internal:9443${FEED}${encodeURIComponent(token)}`);
      const feed = await bare.call(null, 'GET', new URL(url).pathname + new URL(url).search, undefined, {
        host: 'proofline.internal:9443',
      });
      assert.equal(feed.statusCode, 200, feed.body);
      assert.match(feed.body, /^BEGIN:VCALENDAR/);
      // A Host that is not a plain host[:port] is not echoed: the default address is used.
      const odd = await bare.call(person, 'POST', '/api/v1/reviews/calendar-token', undefined, { host: 'evil.example/x?y=' });
      assert.equal(odd.statusCode, 201, odd.body);
      assert.ok(odd.json().url.startsWith(`${bare.config.publicBaseUrl}${FEED}`), odd.json().url);
    });

    test('with PROOFLINE_PUBLIC_URL: the configured address, whatever Host the request carried', async () => {
      const issued = await configured.call(other, 'POST', '/api/v1/reviews/calendar-token', undefined, { host: 'proofline.internal:9443' });
      assert.equal(issued.statusCode, 201, issued.body);
      const { url, token } = issued.json();
      assert.equal(url, `https://governance.example.com${FEED}${encodeURIComponent(token)}`);
    });
  });
}
