// The web UI's static files (built by Vite from web/ into dist/web) served by the API's own process:
// hashed assets cached for good, the app shell for every other browser URL (client-side routing).
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './http.js';

/** What the UI's pages may load: only this origin; Mantine writes its CSS variables into a style tag. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Proofline</title></head>
<body><main><h1>Proofline</h1><p>The web UI is not built in this copy. Run <code>npm run build</code>
(or <code>npm start</code>, which builds what changed), then reload. The API is at <a href="/api/docs">/api/docs</a>.</p></main></body></html>`;

const SERVER_PATHS = new Set(['/metrics', '/healthz', '/readyz']);

/** A browser asking for a page (not the API, not a file with an extension, unless a browser navigates to it). */
export function wantsAppShell(req: Pick<FastifyRequest, 'method' | 'url' | 'headers'>): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const pathname = req.url.split('?')[0];
  if (pathname.startsWith('/api/') || pathname === '/api' || pathname.startsWith('/assets/')) return false;
  // Operational endpoints answer for themselves (404 when not served), never with the UI.
  if (SERVER_PATHS.has(pathname)) return false;
  // A dot in the last segment names a file, except where a browser navigates (it asks for HTML): a
  // control's page, /frameworks/iso42001/controls/A.9.2, is a page whose id holds dots.
  return !path.posix.basename(pathname).includes('.') || (req.headers.accept ?? '').includes('text/html');
}

/** Registers the UI; returns the handler that answers unknown browser URLs with the app shell. */
export async function registerWebUi(app: App, webRoot: string) {
  const indexFile = path.join(webRoot, 'index.html');
  const built = fs.existsSync(indexFile);
  const securityHeaders = (reply: FastifyReply) =>
    reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin');
  if (built) {
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      // A route per built file: a wildcard route would also catch /api/... URLs that match no route,
      // which must keep the API's own answers (400 for a malformed path, 404 JSON otherwise).
      wildcard: false,
      index: false,
      preCompressed: true,
      setHeaders(res, filePath) {
        // Vite names assets by content hash: a changed file gets a new name, so they never go stale.
        if (filePath.includes(`${path.sep}assets${path.sep}`)) res.header('cache-control', 'public, max-age=31536000, immutable');
        else res.header('cache-control', 'no-cache');
        res.header('x-content-type-options', 'nosniff');
      },
    });
  }
  const sendShell = (reply: FastifyReply) => {
    securityHeaders(reply).header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    return built ? reply.sendFile('index.html') : reply.send(NOT_BUILT);
  };
  app.get('/', { schema: { hide: true } }, (_req, reply) => sendShell(reply));
  return {
    /** For the not-found handler: true when it answered with the app shell. */
    answerWithShell(req: FastifyRequest, reply: FastifyReply): boolean {
      if (!wantsAppShell(req)) return false;
      void sendShell(reply);
      return true;
    },
  };
}
