// `npm run gen:client`: regenerates the client package's API types (packages/client/src/api.ts)
// from the server's OpenAPI document. Run it after changing a route or a schema, and commit the result.
import fs from 'node:fs';
import path from 'node:path';
import { CLIENT_TYPES_FILE, renderClientTypes } from './client-types.js';

const text = await renderClientTypes();
const before = fs.existsSync(CLIENT_TYPES_FILE) ? fs.readFileSync(CLIENT_TYPES_FILE, 'utf8') : null;
fs.writeFileSync(CLIENT_TYPES_FILE, text);
console.log(`${path.relative(process.cwd(), CLIENT_TYPES_FILE)}: ${before === text ? 'unchanged' : 'written'}`);
