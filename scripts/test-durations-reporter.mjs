// A node:test reporter beside `spec` in `npm test`: adds up each file's top-level test times and keeps
// them in .tmp/test-durations.json (merged, so a filtered run updates only its files). scripts/test.ts
// starts the longest files first, so the two runners finish together instead of one waiting on a
// long file started last. Plain JavaScript: the runner loads reporters before tsx is registered.
import fs from 'node:fs';
import path from 'node:path';

export const DURATIONS_FILE = path.join('.tmp', 'test-durations.json');

/** The recorded milliseconds per test file (paths relative to the repository root); empty when none. */
export function readDurations() {
  try {
    return JSON.parse(fs.readFileSync(DURATIONS_FILE, 'utf8'));
  } catch {
    return {};
  }
}

export default async function* testDurations(source) {
  const seen = {};
  for await (const event of source) {
    const { nesting, file, details } = event.data ?? {};
    if ((event.type === 'test:pass' || event.type === 'test:fail') && nesting === 0 && file) {
      const key = path.relative(process.cwd(), file);
      seen[key] = (seen[key] ?? 0) + (details?.duration_ms ?? 0);
    }
  }
  const rounded = Object.fromEntries(Object.entries(seen).map(([file, ms]) => [file, Math.round(ms)]));
  fs.mkdirSync(path.dirname(DURATIONS_FILE), { recursive: true });
  fs.writeFileSync(DURATIONS_FILE, `${JSON.stringify({ ...readDurations(), ...rounded }, null, 1)}\n`);
  yield '';
}
