/**
 * The page's static serving: exactly the listed files, each with the strict security
 * headers, revalidated by ETag; nothing else from the folder; and a page that needs no
 * inline code and no other origin, so the Content-Security-Policy costs it nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import request from 'supertest';
import { expectSelfContainedPage } from '../../../test/helpers/pageFiles.js';
import { errorHandler, notFound } from '../errors.js';
import { CONTENT_SECURITY_POLICY, PAGE_FILES, PUBLIC_DIR, VENDOR_FILES, webRoutes } from './router.js';

function pageApp(): Express {
  const app = express();
  app.use(webRoutes());
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

const app = pageApp();
const text = (file: string): string => readFileSync(path.join(PUBLIC_DIR, file), 'utf8');
const scripts = Object.values(PAGE_FILES).filter((f) => f.file.endsWith('.js')).map((f) => f.file);

describe('GET / and its assets', () => {
  it('serves the page with a strict Content-Security-Policy and the other security headers', async () => {
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toBe(text('index.html'));
    const csp = res.headers['content-security-policy'];
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "form-action 'none'", "require-trusted-types-for 'script'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin', 'cache-control': 'no-cache',
    });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it.each(Object.entries(PAGE_FILES))('serves %s with its media type and the same headers', async (urlPath, { file, type }) => {
    const res = await request(app).get(urlPath).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect((res.body as Buffer).equals(readFileSync(path.join(PUBLIC_DIR, file)))).toBe(true);
  });

  it('serves the pinned QR encoder as a module of this origin, without its source-map comment', async () => {
    const res = await request(app).get('/assets/vendor/qr.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.text).toMatch(/export function encodeQR\(/);
    // Self-contained: it loads nothing (links in its comments are only text).
    expect(res.text).not.toMatch(/sourceMappingURL|^import |\bimport\(|\bfetch\(|XMLHttpRequest|innerHTML|eval\(|new Function/m);
    expect(Object.keys(VENDOR_FILES)).toEqual(['/assets/vendor/qr.js']);
    expect((await request(app).get('/assets/vendor/qr.js.map')).status).toBe(404);
  });

  it('answers 304 to a request that already holds the current version, 200 to a stale one', async () => {
    const first = await request(app).get('/assets/app.js');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect((await request(app).get('/assets/app.js').set('if-none-match', etag)).status).toBe(304);
    expect((await request(app).get('/assets/app.js').set('if-none-match', '"stale"')).status).toBe(200);
  });

  it.each(['/assets/router.ts', '/assets/webauthnJson.d.ts', '/assets/webauthnJson.test.ts', '/assets/', '/index.html', '/assets/..%2frouter.ts', '/assets/app.js.map'])(
    'serves nothing else from the folder: %s is a problem+json 404',
    async (urlPath) => {
      const res = await request(app).get(urlPath);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    },
  );

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await request(app).head('/');
    expect(head.status).toBe(200);
    expect(head.text).toBeUndefined();
    expect((await request(app).post('/').send({})).status).toBe(404);
  });
});

describe('the page itself', () => {
  it('lists every file of its folder, and serves every module a script imports', () => {
    const onDisk = readdirSync(PUBLIC_DIR).filter((f) => !f.endsWith('.ts')).sort();
    expect(Object.values(PAGE_FILES).map((f) => f.file).sort()).toEqual(onDisk);
    for (const file of scripts) {
      for (const [, imported] of text(file).matchAll(/from '\.\/([\w./]+)'/g)) {
        if (imported.startsWith('vendor/')) expect(Object.keys(VENDOR_FILES)).toContain(`/assets/${imported}`);
        else expect(scripts).toContain(imported);
      }
    }
  });

  it('needs no inline script, inline style, event-handler attribute or other origin', () => {
    const read = (files: string[]) => Object.fromEntries(files.map((f) => [f, text(f)]));
    expectSelfContainedPage(text('index.html'), '/assets/', read(scripts), read(['style.css']));
  });

  it('keeps the session out of cookies, URLs and localStorage', () => {
    for (const file of scripts) {
      // The only history change allowed takes a scanned link's fragment out of the address bar.
      const source = text(file).replace("history.replaceState(null, '', location.pathname)", '');
      expect([file, source]).not.toEqual([file, expect.stringMatching(/document\.cookie|localStorage|location\.(href|search|hash)\s*=|history\.(push|replace)State/)]);
    }
    expect(text('storage.js')).toContain('sessionStorage');
  });

  it('gives every form control a label and the page its landmarks and live regions', () => {
    const html = text('index.html');
    const ids = [...html.matchAll(/<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect([id, html.includes(`for="${id}"`)]).toEqual([id, true]);
    expect(html).toMatch(/<html lang="en">/);
    for (const landmark of ['<header', '<main', '<footer', 'role="status"', 'role="alert"', 'aria-live="polite"']) expect(html).toContain(landmark);
  });
});
