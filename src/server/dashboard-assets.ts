import { join } from 'node:path';
import { VERSION } from '../common/version.ts';

/** The dashboard's web sources (dashboard/ at the package's root), bundled when first asked for. */
const ENTRY = join(import.meta.dirname, '..', '..', 'dashboard', 'main.tsx');

export interface Asset {
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * Nothing but this origin's own files may run, nothing may be framed by another page
 * (clickjacking of the cancel buttons), and no referrer leaves the page.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
} as const;

export function dashboardHeaders(asset: Asset): Record<string, string | number> {
  return { ...SECURITY_HEADERS, 'content-type': asset.contentType, 'content-length': asset.body.length };
}

const PAGE = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rivulet</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/dashboard.css?v=${VERSION}">
<script type="module" src="/assets/dashboard.js?v=${VERSION}"></script>
</head>
<body><div id="app"></div></body>
</html>
`;

let bundled: Promise<ReadonlyMap<string, Asset>> | undefined;

/**
 * The page and its script and style, by path. The sources are bundled and minified by esbuild (a
 * dependency of tsx, which runs Rivulet) in memory, once per process: there is no build step and
 * no built file to keep in step with the sources.
 */
export function dashboardAssets(): Promise<ReadonlyMap<string, Asset>> {
  bundled ??= bundle().catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  return bundled;
}

async function bundle(): Promise<ReadonlyMap<string, Asset>> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'out',
    entryNames: 'dashboard',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const assets = new Map<string, Asset>([['/', { contentType: 'text/html; charset=utf-8', body: Buffer.from(PAGE) }]]);
  for (const file of result.outputFiles) {
    const name = file.path.endsWith('.css') ? 'dashboard.css' : 'dashboard.js';
    const contentType = name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    assets.set(`/assets/${name}`, { contentType, body: Buffer.from(file.contents) });
  }
  return assets;
}
