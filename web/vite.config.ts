// The web UI's build: Vite (Rolldown + Oxc, JSX with React's automatic runtime) from web/ into
// dist/web, which the server serves at / (src/server/web.ts). Pages are split into their own chunks.
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.resolve(import.meta.dirname, '..', 'dist', 'web'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      // Mantine marks its modules "use client" (for React Server Components); a client bundle ignores it.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  // The UI's Vitest tests are of logic (models, search parameters, links, formats): they need no DOM,
  // so they run in Node, and in one module graph per worker (isolate: false) rather than importing
  // Mantine and the router again for each file: 5 s instead of 35 s in `npm test`'s checks.
  test: {
    environment: 'node',
    isolate: false,
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
