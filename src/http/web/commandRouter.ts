/**
 * The Command console, at `/command/`: the administrators' page, served as the device page is
 * (router.ts) — only the files listed here, from memory, each with the same strict
 * Content-Security-Policy and security headers. It shares the device page's stylesheet and its
 * API client and WebAuthn JSON modules, at their `/assets/` addresses.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { loaded, send, type LoadedFile } from './router.js';

/** Where the console's files live, beside this module in source and in the build alike. */
export const COMMAND_DIR = fileURLToPath(new URL('./command/', import.meta.url));

const JS = 'text/javascript; charset=utf-8';

/** URL path → file in `command/` and its media type. */
export const COMMAND_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/command/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/command/assets/command.css': { file: 'command.css', type: 'text/css; charset=utf-8' },
  '/command/assets/console.js': { file: 'console.js', type: JS },
  '/command/assets/dom.js': { file: 'dom.js', type: JS },
  '/command/assets/signIn.js': { file: 'signIn.js', type: JS },
  '/command/assets/consoleWords.js': { file: 'consoleWords.js', type: JS },
  '/command/assets/inventoryView.js': { file: 'inventoryView.js', type: JS },
  '/command/assets/deviceView.js': { file: 'deviceView.js', type: JS },
  '/command/assets/reviewView.js': { file: 'reviewView.js', type: JS },
  '/command/assets/replacementsView.js': { file: 'replacementsView.js', type: JS },
  '/command/assets/reportView.js': { file: 'reportView.js', type: JS },
  '/command/assets/barChart.js': { file: 'barChart.js', type: JS },
  '/command/assets/auditView.js': { file: 'auditView.js', type: JS },
  '/command/assets/settingsView.js': { file: 'settingsView.js', type: JS },
  '/command/assets/administratorsView.js': { file: 'administratorsView.js', type: JS },
};

/** The router serving the console; `dir` overrides where its files are read from. */
export function commandRoutes(dir: string = COMMAND_DIR): Router {
  const files = new Map<string, LoadedFile>();
  for (const [urlPath, { file, type }] of Object.entries(COMMAND_FILES)) files.set(urlPath, loaded(readFileSync(path.join(dir, file)), type));
  const router = Router();
  router.use((req, _res, next) => next(req.method === 'GET' || req.method === 'HEAD' ? undefined : 'router'));
  for (const [urlPath, file] of files) router.get(urlPath, (req, res) => send(res, file, req.get('if-none-match')));
  return router;
}
