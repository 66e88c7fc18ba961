/**
 * The page a person uses, at `/`: a few static files from `public/`, read once when the
 * router is built and served from memory. Only the files listed here are served — no
 * directory walking, no source maps, no tests, no type declarations.
 *
 * Every response carries a strict Content-Security-Policy: scripts, styles and fetches only
 * from this origin, no inline code, no plugins, no framing, forms that cannot navigate
 * (so a code typed into a form can never end up in a URL), and Trusted Types enforced so
 * no string ever becomes HTML.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, type Response } from 'express';

/** Where the page's files live, beside this module in source and in the build alike. */
export const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** URL path → file in `public/` and its media type. */
export const PAGE_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/assets/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/assets/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/activityList.js': { file: 'activityList.js', type: 'text/javascript; charset=utf-8' },
  '/assets/apiClient.js': { file: 'apiClient.js', type: 'text/javascript; charset=utf-8' },
  '/assets/devicesTable.js': { file: 'devicesTable.js', type: 'text/javascript; charset=utf-8' },
  '/assets/flows.js': { file: 'flows.js', type: 'text/javascript; charset=utf-8' },
  '/assets/linkCode.js': { file: 'linkCode.js', type: 'text/javascript; charset=utf-8' },
  '/assets/links.js': { file: 'links.js', type: 'text/javascript; charset=utf-8' },
  '/assets/qrCode.js': { file: 'qrCode.js', type: 'text/javascript; charset=utf-8' },
  '/assets/storage.js': { file: 'storage.js', type: 'text/javascript; charset=utf-8' },
  '/assets/webauthnJson.js': { file: 'webauthnJson.js', type: 'text/javascript; charset=utf-8' },
  '/assets/words.js': { file: 'words.js', type: 'text/javascript; charset=utf-8' },
};

/**
 * Modules served from installed packages (pinned in package.json), as the page imports them:
 * the QR encoder draws the linking codes here, in the browser — no external service sees them.
 */
export const VENDOR_FILES: Readonly<Record<string, { pkg: string; file: string }>> = {
  '/assets/vendor/qr.js': { pkg: '@paulmillr/qr', file: 'esm/index.js' },
};

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'publickey-credentials-create=(self), publickey-credentials-get=(self), camera=(), microphone=(), geolocation=(), payment=()',
  // Revalidate every time (the ETag makes that cheap): a page that changes with the service must not go stale.
  'Cache-Control': 'no-cache',
};

export interface LoadedFile {
  body: Buffer;
  type: string;
  etag: string;
}

/** A file's bytes ready to serve, with its ETag. */
export function loaded(body: Buffer, type: string): LoadedFile {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** A vendor module's text, without its source-map comment (no source maps are served). */
function vendorModule(pkg: string, file: string): Buffer {
  // The package's main entry locates its folder (its package.json is not exported).
  const main = createRequire(import.meta.url).resolve(pkg);
  const root = main.slice(0, main.lastIndexOf(`${path.sep}node_modules${path.sep}`) + `${path.sep}node_modules${path.sep}`.length) + pkg;
  return Buffer.from(readFileSync(path.join(root, file), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
}

function load(dir: string): Map<string, LoadedFile> {
  const files = new Map<string, LoadedFile>();
  for (const [urlPath, { file, type }] of Object.entries(PAGE_FILES)) files.set(urlPath, loaded(readFileSync(path.join(dir, file)), type));
  for (const [urlPath, { pkg, file }] of Object.entries(VENDOR_FILES)) files.set(urlPath, loaded(vendorModule(pkg, file), 'text/javascript; charset=utf-8'));
  return files;
}

/** Sends `file` with the security headers (or 304 when the client holds this version). */
export function send(res: Response, file: LoadedFile, ifNoneMatch: string | undefined): void {
  res.set(SECURITY_HEADERS).set('ETag', file.etag).type(file.type);
  if (ifNoneMatch !== undefined && ifNoneMatch.split(/\s*,\s*/).includes(file.etag)) {
    res.status(304).end();
    return;
  }
  res.send(file.body);
}

/** The router serving the page and its assets; `dir` overrides where the files are read from. */
export function webRoutes(dir: string = PUBLIC_DIR): Router {
  const files = load(dir);
  const router = Router();
  // Only reads are served here: anything else leaves at once instead of trying every path.
  router.use((req, _res, next) => next(req.method === 'GET' || req.method === 'HEAD' ? undefined : 'router'));
  for (const [urlPath, file] of files) {
    router.get(urlPath, (req, res) => send(res, file, req.get('if-none-match')));
  }
  return router;
}
