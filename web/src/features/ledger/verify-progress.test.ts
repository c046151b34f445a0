import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import { readVerifyLines, type VerifyProgress } from './verify-progress';

const REPORT = { ok: true, events: 3, rootHash: 'ab', checkpointsChecked: 1, problem: null, queued: 0, oldestQueuedAt: null };

/** A stream that delivers these chunks of text, one read each. */
const chunks = (...parts: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
      controller.close();
    },
  });

describe('readVerifyLines', () => {
  it('reports each progress line, also one split across chunks or several in one, then resolves with the report', async () => {
    const seen: VerifyProgress[] = [];
    const report = await readVerifyLines(
      chunks(
        '{"progress":{"done":1,"tot',
        'al":3}}\n{"progress":{"done":2,"total":3}}\n{"progress":{"done":3,"total":3}}\n',
        `${JSON.stringify({ report: REPORT })}\n`,
      ),
      (p) => seen.push(p),
    );
    expect(seen).toEqual([
      { done: 1, total: 3 },
      { done: 2, total: 3 },
      { done: 3, total: 3 },
    ]);
    expect(report).toEqual(REPORT);
  });

  it('reads a report line that is not followed by a newline', async () => {
    expect(await readVerifyLines(chunks(JSON.stringify({ report: REPORT })), () => {})).toEqual(REPORT);
  });

  it("rejects with the server's code when the run could not finish, or when the answer ends without a report", async () => {
    const failed = readVerifyLines(
      chunks('{"progress":{"done":1,"total":3}}\n{"error":{"code":"internal_error","message":"stopped"}}\n'),
      () => {},
    );
    await expect(failed).rejects.toBeInstanceOf(ApiError);
    await expect(failed).rejects.toMatchObject({ code: 'internal_error', message: 'stopped' });
    await expect(readVerifyLines(chunks('{"progress":{"done":1,"total":3}}\n'), () => {})).rejects.toMatchObject({
      message: 'The verification ended before its report arrived',
    });
  });
});
