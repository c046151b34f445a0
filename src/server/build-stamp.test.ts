// `npm start` starts in seconds because it builds only when a source is newer than the last build's
// stamp (scripts/build-inputs.mjs, read by scripts/start.mjs and the browser tests' harness).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { BUILD_STAMP, buildIsStale, newestSource } from '../../scripts/build-inputs.mjs';

/** A checkout with a few sources, as the build reads them. */
function checkout(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-stamp-'));
  for (const file of ['src/server/app.ts', 'web/src/main.tsx', 'web/index.html', 'package-lock.json']) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), '// source\n');
  }
  return root;
}

/** What scripts/build.mjs leaves behind: the compiled CLI and the stamp of the sources it read. */
function built(root: string): void {
  fs.mkdirSync(path.join(root, 'dist', 'cli'), { recursive: true });
  fs.writeFileSync(path.join(root, 'dist', 'cli', 'main.js'), '');
  fs.writeFileSync(path.join(root, BUILD_STAMP), JSON.stringify({ inputsAsOf: newestSource(root), builtAt: new Date().toISOString() }));
}

const later = (root: string, file: string) => {
  const when = new Date(Date.now() + 60_000);
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), '// changed\n');
  fs.utimesSync(path.join(root, file), when, when);
};

describe('the build stamp', () => {
  test('a fresh checkout builds; once built, a start does not build again until a source changes', () => {
    const root = checkout();
    assert.equal(buildIsStale(root), true, 'no build yet');
    built(root);
    assert.equal(buildIsStale(root), false, 'built and nothing changed: start at once');
    later(root, 'web/src/features/new-page.tsx');
    assert.equal(buildIsStale(root), true, 'a changed web source builds again');
    built(root);
    later(root, 'src/server/app.ts');
    assert.equal(buildIsStale(root), true, 'a changed server source builds again');
  });

  test('a changed test file, or a build missing its output or with an unreadable stamp, is judged rightly', () => {
    const root = checkout();
    built(root);
    later(root, 'src/server/app.test.ts');
    later(root, 'web/src/features/page.test.tsx');
    assert.equal(buildIsStale(root), false, 'tests are not build inputs');
    fs.rmSync(path.join(root, 'dist', 'cli', 'main.js'));
    assert.equal(buildIsStale(root), true, 'the compiled server is missing');
    built(root);
    fs.writeFileSync(path.join(root, BUILD_STAMP), 'not json');
    assert.equal(buildIsStale(root), true, 'an unreadable stamp builds again');
  });
});
