/**
 * @module web/assets
 * Everything the page loads, which ships with the package: `page/index.html`,
 * `page/style.css`, and `page/main.ts` with its imports bundled into one minified
 * script by esbuild (already a dependency, for TypeScript at the prompt) the first time
 * a server starts, in about 50 ms. No CDN, no build step for the user, nothing fetched.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Asset {
  type: string;
  body: Buffer;
}

const PAGE = new URL('./page/', import.meta.url);

let loading: Promise<Map<string, Asset>> | null = null;

// Client API

/**
 * The page's files by path (`/`, `/app.js`, `/app.css`), built once per process.
 *
 * @example
 * (await assets()).get('/app.js').type //=> 'text/javascript; charset=utf-8'
 */
export function assets(): Promise<Map<string, Asset>> {
  loading ??= build();
  return loading;
}

// Internals

async function build(): Promise<Map<string, Asset>> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('main.ts', PAGE))],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  });
  return new Map([
    ['/', { type: 'text/html; charset=utf-8', body: readFileSync(new URL('index.html', PAGE)) }],
    ['/app.css', { type: 'text/css; charset=utf-8', body: readFileSync(new URL('style.css', PAGE)) }],
    ['/app.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(result.outputFiles[0]!.contents) }],
  ]);
}
