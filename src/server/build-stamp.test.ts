// `npm start` starts in seconds because it builds only when a source is newer than the last build's
// stamp (scripts/build-inputs.mjs, read by scripts/start.mjs and the browser tests' harness).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { BUILD_STAMP, buildIsStale, orphanedOutputs, sourceState } from '../../scripts/build-inputs.mjs';

/** A checkout with a few sources, as the build reads them. */
function checkout(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-stamp-'));
  for (const file of ['src/server/app.ts', 'src/cli/main.ts', 'web/src/main.tsx', 'web/index.html', 'package-lock.json']) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), '// source\n');
  }
  return root;
}

/** What scripts/build.mjs leaves behind: the compiled CLI and the stamp of the sources it read. */
function built(root: string): void {
  fs.mkdirSync(path.join(root, 'dist', 'cli'), { recursive: true });
  fs.writeFileSync(path.join(root, 'dist', 'cli', 'main.js'), '');
  fs.writeFileSync(path.join(root, BUILD_STAMP), JSON.stringify({ ...sourceState(root), builtAt: new Date().toISOString() }));
}

// Each change a second later than the one before: two changes made within the same millisecond
// would otherwise share a time, and a source no newer than the build's newest does not rebuild.
let changes = 0;
const later = (root: string, file: string) => {
  changes += 1;
  const when = new Date(Date.now() + 60_000 + changes * 1000);
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

  test('a source deleted or renamed builds again (a rename keeps its time); a new test file does not', () => {
    const root = checkout();
    later(root, 'src/db/migrations/20261201_0100_old_name.ts');
    built(root);
    assert.equal(buildIsStale(root), false);
    fs.renameSync(
      path.join(root, 'src/db/migrations/20261201_0100_old_name.ts'),
      path.join(root, 'src/db/migrations/20261201_0100_new_name.ts'),
    );
    assert.equal(buildIsStale(root), true, 'renamed: the old output must go, the new one come');
    built(root);
    fs.rmSync(path.join(root, 'src/db/migrations/20261201_0100_new_name.ts'));
    assert.equal(buildIsStale(root), true, 'deleted');
    built(root);
    fs.writeFileSync(path.join(root, 'src/server/new.test.ts'), '// a test\n');
    assert.equal(buildIsStale(root), false, 'tests are not build inputs');
  });

  test("the build's outputs of sources that are gone are found for removal, and nothing else is", () => {
    const root = checkout();
    fs.mkdirSync(path.join(root, 'src/frameworks/catalogs'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src/frameworks/catalogs/gdpr.json'), '{}');
    const outputs = [
      'dist/server/app.js',
      'dist/server/app.d.ts',
      'dist/server/app.js.map',
      'dist/frameworks/catalogs/gdpr.json',
      'dist/db/migrations/20261201_0100_old_name.js',
      'dist/db/migrations/20261201_0100_old_name.d.ts',
      'dist/db/migrations/20261201_0100_old_name.js.map',
      'dist/frameworks/catalogs/gone.json',
      'dist/web/assets/index-abc.js',
    ];
    for (const file of outputs) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), '');
    }
    built(root);
    const orphans = orphanedOutputs(root)
      .map((f: string) => path.relative(root, f).split(path.sep).join('/'))
      .sort();
    assert.deepEqual(orphans, [
      'dist/db/migrations/20261201_0100_old_name.d.ts',
      'dist/db/migrations/20261201_0100_old_name.js',
      'dist/db/migrations/20261201_0100_old_name.js.map',
      'dist/frameworks/catalogs/gone.json',
    ]);
  });
});
