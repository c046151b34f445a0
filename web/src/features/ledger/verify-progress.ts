// Reads the NDJSON answer of GET /api/v1/ledger/verify/progress: each progress line as it arrives,
// then the report. A line may arrive split across chunks, or several in one chunk.
import type { operations } from '../../../../packages/client/src/api';
import { ApiError } from '../../api/client';

export type VerifyLine = operations['verifyLedgerWithProgress']['responses'][200]['content']['application/x-ndjson'];
export type VerifyReport = Extract<VerifyLine, { report: unknown }>['report'];
export interface VerifyProgress {
  done: number;
  total: number;
}

/** Calls `onProgress` for each progress line and resolves with the report; an error line, or an
 * answer that ends before its report, rejects with an ApiError. */
export async function readVerifyLines(stream: ReadableStream<Uint8Array>, onProgress: (p: VerifyProgress) => void): Promise<VerifyReport> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
    const lines = buffered.split('\n');
    buffered = done ? '' : (lines.pop() ?? '');
    for (const text of lines) {
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as VerifyLine;
      if ('progress' in line) onProgress(line.progress);
      else if ('report' in line) return line.report;
      else throw new ApiError(500, line.error.code, line.error.message);
    }
    if (done) throw new ApiError(500, 'internal_error', 'The verification ended before its report arrived');
  }
}
