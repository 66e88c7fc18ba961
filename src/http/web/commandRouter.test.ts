/**
 * The console's static serving: exactly its listed files, each with the device page's strict
 * security headers; a page that needs no inline code and no other origin; every module it
 * imports served; its session in sessionStorage only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import request from 'supertest';
import { expectSelfContainedPage } from '../../../test/helpers/pageFiles.js';
import { errorHandler, notFound } from '../errors.js';
import { COMMAND_DIR, COMMAND_FILES, commandRoutes } from './commandRouter.js';
import { CONTENT_SECURITY_POLICY, PAGE_FILES, webRoutes } from './router.js';

function consoleApp(): Express {
  const app = express();
  app.use(webRoutes(), commandRoutes());
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

const app = consoleApp();
const text = (file: string): string => readFileSync(path.join(COMMAND_DIR, file), 'utf8');
const scripts = Object.values(COMMAND_FILES).filter((f) => f.file.endsWith('.js')).map((f) => f.file);

describe('GET /command/ and its assets', () => {
  it.each(Object.entries(COMMAND_FILES))('serves %s with its media type and the strict security headers', async (urlPath, { file, type }) => {
    const res = await request(app).get(urlPath).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
    expect((res.body as Buffer).equals(readFileSync(path.join(COMMAND_DIR, file)))).toBe(true);
  });

  it.each(['/command/assets/commandRouter.ts', '/command/assets/', '/command/index.html', '/command/assets/..%2fconsole.js'])('serves nothing else: %s is a 404', async (urlPath) => {
    expect((await request(app).get(urlPath)).status).toBe(404);
  });
});

describe('the console itself', () => {
  it('lists every file of its folder, and serves every module a script imports', () => {
    expect(Object.values(COMMAND_FILES).map((f) => f.file).sort()).toEqual(readdirSync(COMMAND_DIR).sort());
    for (const file of scripts) {
      for (const [, imported] of text(file).matchAll(/from '([\w./]+)'/g)) {
        const urlPath = imported.startsWith('./') ? `/command/assets/${imported.slice(2)}` : imported;
        expect([file, imported, urlPath in COMMAND_FILES || urlPath in PAGE_FILES]).toEqual([file, imported, true]);
      }
    }
  });

  it('needs no inline script, inline style, event-handler attribute, HTML string or other origin', () => {
    const read = (files: string[]) => Object.fromEntries(files.map((f) => [f, text(f)]));
    expectSelfContainedPage(text('index.html'), '/command/assets/', read(scripts), read(['command.css']));
  });

  it('keeps its session out of cookies, URLs and localStorage, and takes an invitation out of the address bar', () => {
    for (const file of scripts) {
      const source = text(file).replace("history.replaceState(null, '', location.pathname)", '');
      expect([file, source]).not.toEqual([file, expect.stringMatching(/document\.cookie|localStorage|location\.(href|search)\s*=|history\.(push|replace)State/)]);
    }
    expect(text('signIn.js')).toContain('sessionStorage');
    expect(text('console.js')).toContain("history.replaceState(null, '', location.pathname)");
  });

  it('labels every control of its page', () => {
    const html = text('index.html');
    for (const [, id] of html.matchAll(/<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"/g)) expect(html).toContain(`for="${id}"`);
  });
});

describe("the console's words", () => {
  it('has words for every problem code the console sign-in and admin routes throw', () => {
    const SRC = path.join(COMMAND_DIR, '..', '..', '..');
    const files = ['trust/admin/console', 'http/routes/admin']
      .flatMap((dir) => readdirSync(path.join(SRC, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => path.join(dir, f)))
      .concat(['trust/admin/deviceHistory.ts', 'trust/transition.ts', 'http/auth.ts']);
    const codes = new Set<string>();
    for (const file of files) {
      const source = readFileSync(path.join(SRC, file), 'utf8');
      for (const m of source.matchAll(/(?:TrustError|ForbiddenError|NotFoundError|ConflictError|HttpError)\((?:\d+, )?'([a-z_]+)'/g)) codes.add(m[1]);
    }
    const words = text('consoleWords.js');
    const known = new Set([...words.matchAll(/^ {2}([a-z_]+): '/gm)].map((m) => m[1]));
    expect([...codes].filter((c) => !known.has(c)).sort()).toEqual([]);
    expect(codes.size).toBeGreaterThan(15);
  });
});
