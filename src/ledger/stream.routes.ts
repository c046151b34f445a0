// The SIEM stream: ledger events as they are appended, from a sequence number on, as Server-Sent
// Events (`id:` = seq, so a reconnect with Last-Event-ID resumes after it) or as NDJSON. First the
// backlog in pages, then new events as they commit (follow.ts polls every 250 ms on both dialects).
// Ends when the client goes or the server closes.
import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import type { Role } from '../context.js';
import { withControls } from '../frameworks/evidence.js';
import type { App, AppDeps } from '../server/http.js';
import { errorResponses } from '../server/http.js';
import { followLedger } from './follow.js';
import { EventView } from './ledger.schema.js';

/** Auditors read everything; `external_auditor` is refused (a grant covers some systems' records,
 * and a stream of the whole ledger would show the rest's event types, actors and timing). */
const STREAMERS: Role[] = ['admin', 'auditor', 'governance_lead'];
export const STREAM_HEARTBEAT_MS = 15_000;

export const StreamQuery = Type.Object(
  {
    from: Type.Optional(Type.Integer({ minimum: 0, description: 'first sequence number to send (default 0)' })),
  },
  { additionalProperties: false },
);

/** The sequence number after which to start: Last-Event-ID (a resuming SSE client) wins over `from`. */
export function startAfter(from: number | undefined, lastEventId: string | string[] | undefined): number | undefined {
  const last = Array.isArray(lastEventId) ? lastEventId[0] : lastEventId;
  if (last !== undefined && /^\d+$/.test(last.trim())) return Number(last.trim());
  return from === undefined || from === 0 ? undefined : from - 1;
}

export function ledgerStreamRoutes(app: App, { store }: AppDeps) {
  const open = new Set<ServerResponse>();
  // A graceful stop (serve.ts) waits for requests in flight: end every stream first, or it never would.
  app.addHook('preClose', (done) => {
    for (const res of open) res.end();
    open.clear();
    done();
  });

  app.get(
    '/api/v1/ledger/stream',
    {
      schema: {
        operationId: 'streamLedgerEvents',
        summary: 'Follow the ledger: events from a sequence number on, then each new one as it is appended (SSE or NDJSON)',
        description:
          'With `Accept: text/event-stream`: Server-Sent Events, `event: ledger-event`, `id:` the sequence number, data one ' +
          'event as GET /api/v1/ledger/events presents it; a reconnect with `Last-Event-ID` resumes after that event. ' +
          'Otherwise `application/x-ndjson`, one event per line (resume with `from` = last seq + 1). A heartbeat every 15 s ' +
          '(an SSE comment, an empty NDJSON line). Needs a token with the `ledger:stream` scope held by an admin, auditor or ' +
          'governance lead.',
        tags: ['ledger'],
        querystring: StreamQuery,
        response: {
          200: {
            description: 'the stream, until the client disconnects or the server stops',
            content: {
              'text/event-stream': {
                schema: Type.String({ description: 'event: ledger-event\\nid: <seq>\\ndata: <LedgerEvent JSON>\\n\\n, repeated' }),
              },
              'application/x-ndjson': { schema: EventView },
            },
          },
          ...errorResponses,
        },
      },
      config: { access: { roles: STREAMERS, scope: 'ledger:stream' } },
    },
    async (req, reply) => {
      const sse = /text\/event-stream/.test(req.headers.accept ?? '');
      const after = startAfter(req.query.from, req.headers['last-event-id']);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': sse ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        // The socket goes with the stream: a kept-alive one would hold a closing server up.
        connection: 'close',
        'x-request-id': String(req.id),
      });
      res.flushHeaders();
      open.add(res);
      // The client going, or the server closing (preClose ends the response), stops the follow.
      const stop = new AbortController();
      const end = () => {
        stop.abort();
        open.delete(res);
      };
      res.once('close', end).once('finish', end);
      req.raw.once('close', end);
      const heartbeat = setInterval(() => res.write(sse ? ': heartbeat\n\n' : '\n'), STREAM_HEARTBEAT_MS);
      try {
        for await (const record of followLedger(store.db, { afterSeq: after, signal: stop.signal })) {
          if (res.writableEnded) break;
          const json = JSON.stringify(withControls(record));
          const ok = res.write(sse ? `event: ledger-event\nid: ${record.seq}\ndata: ${json}\n\n` : `${json}\n`);
          // A slow reader: wait for the socket to drain rather than buffer the ledger in memory.
          if (!ok) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
        }
      } catch (error) {
        req.log.error({ err: error }, 'ledger stream failed');
      } finally {
        clearInterval(heartbeat);
        end();
        if (!res.writableEnded) res.end();
      }
    },
  );
}
