// A child process that runs CLI commands one after another through the compiled CLI's `main`
// (test/cli.ts sends them over IPC): the CLI's modules load once per test file instead of once per
// command (about 2 s of CPU each). Each command gets the test process's environment as it is at the
// call (with the database URL it names), its own standard input, and gives the exit code and output
// `proofline` would have given. The process boundary itself (dev.ts setting the exit code, output
// through real pipes) is what runCliProcess in test/cli.ts exercises, and the tests that spawn the CLI.
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const { main } = await import(pathToFileURL(process.argv[2]).href);

const write = { stdout: process.stdout.write, stderr: process.stderr.write };

/** Runs one command with its writes to stdout/stderr captured as text. */
async function run({ args, env, stdin }) {
  const captured = { stdout: '', stderr: '' };
  for (const name of ['stdout', 'stderr']) {
    process[name].write = (chunk, encoding, callback) => {
      captured[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
      const done = typeof encoding === 'function' ? encoding : callback;
      if (done) process.nextTick(done);
      return true;
    };
  }
  // The environment a child spawned now would get: the test process's, as it is at this call.
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  const input = Readable.from(stdin ? [Buffer.from(stdin)] : []);
  Object.defineProperty(process, 'stdin', { configurable: true, enumerable: true, get: () => input });
  process.exitCode = undefined;
  try {
    const code = await main(args);
    return { code, ...captured };
  } finally {
    process.stdout.write = write.stdout;
    process.stderr.write = write.stderr;
    process.exitCode = undefined;
  }
}

/** One command at a time: the output capture and the environment are the whole process's. */
let queue = Promise.resolve();
process.on('message', ({ id, command }) => {
  queue = queue.then(async () => {
    try {
      process.send({ id, result: await run(command) });
    } catch (error) {
      process.send({ id, error: String(error?.stack ?? error) });
    }
  });
});
// The test file has ended (or died): so does its host.
process.on('disconnect', () => process.exit(0));
