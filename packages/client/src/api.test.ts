// The client's API types are the server's: regenerated in memory from the OpenAPI document the
// server publishes, they must equal the committed packages/client/src/api.ts byte for byte.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { CLIENT_TYPES_FILE, renderClientTypes } from '../../../scripts/client-types.js';

test("the client's generated API types match the server's OpenAPI document (else run npm run gen:client)", async () => {
  const committed = fs.readFileSync(CLIENT_TYPES_FILE, 'utf8');
  const current = await renderClientTypes();
  // Compare line by line first, so a failure names the first line that drifted.
  const committedLines = committed.split('\n');
  const currentLines = current.split('\n');
  const first = currentLines.findIndex((line, i) => line !== committedLines[i]);
  assert.ok(
    committed === current,
    `packages/client/src/api.ts is stale: run \`npm run gen:client\` and commit it (first difference at line ${first + 1}: ` +
      `committed ${JSON.stringify(committedLines[first])}, now ${JSON.stringify(currentLines[first])})`,
  );
});
