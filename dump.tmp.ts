import { createTestApp } from './test/app.js';
const t = await createTestApp('sqlite');
const doc = t.app.swagger() as any;
console.log(JSON.stringify(doc.paths['/api/v1/ledger/events'].get.parameters.slice(-2)));
const r = await t.app.inject({method:'GET', url:'/api/v1/systems/%E0%A4%A'}); console.log(r.statusCode, r.body, r.headers['x-request-id']);
const u = await t.user(['admin'], {scopes:['read','write','ingest']});
for (const url of ['/api/v1/systems?q=%ED%A0%80', '/api/v1/systems/%ED%A0%80', '/api/v1/systems?offset=1e21', '/api/v1/systems?offset=9007199254740991','/api/v1/ledger/events?offset=9007199254740991', '/api/v1/ledger/events?from=2016-12-31T23:59:60Z', '/api/v1/ledger/events?from=2016-02-30T23:59:00Z', '/api/v1/systems/' + 'x'.repeat(101) + '/runtime/detail']) { const x = await t.call(u, 'GET', url); console.log(url.slice(0,60), x.statusCode, x.body.slice(0,300)); }
const b = await t.app.inject({method:'POST', url:'/api/v1/decisions/batch', headers: {authorization: `Bearer ${u.token}`, 'content-type':'application/json'}, payload: '{"records":[{"output":"\\ud800"}]}'}); console.log(b.statusCode, b.body);
const d = await t.app.inject({method:'POST', url:'/api/v1/decisions/batch', headers: {authorization: `Bearer ${u.token}`, 'content-type':'application/json'}, payload: '{"records":[{"output":' + '['.repeat(5000) + ']'.repeat(5000) + '}]}'}); console.log(d.statusCode, d.body.slice(0,200));
const e = await t.app.inject({method:'POST', url:'/api/v1/decisions/batch', headers: {authorization: `Bearer ${u.token}`, 'content-type':'application/json'}, payload: Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d])}); console.log(e.statusCode, e.body.slice(0,200));
await t.close();
