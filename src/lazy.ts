// Modules that most processes never use (the PDF writer, the mail client, the zip reader, the
// statistics library) are loaded on first use, not at start: together they held about 50 MB of an
// idle server's memory. `require` here loads their CommonJS builds synchronously, so a caller's
// signature does not change.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `name`'s exports, loaded when the returned function is first called and kept after. */
export function onFirstUse<T>(name: string): () => T {
  let loaded: { value: T } | null = null;
  return () => {
    loaded ??= { value: require(name) as T };
    return loaded.value;
  };
}
