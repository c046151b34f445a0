// Runs the test files it is given one after the other in this one process: scripts/test.ts gives it
// each batch of the files that need no process of their own. Node's test runner runs a file's tests
// in the order they are declared, after those of the files imported before it; the files share what
// they load (the app's modules, the drivers, the compiled schemas, the migrated SQLite template, the
// CLI host), which a process per file loaded again each time: about 3 s of CPU per file.
import { pathToFileURL } from 'node:url';

for (const file of process.argv.slice(2)) await import(pathToFileURL(file).href);
