// Copies what the compiled code reads beside itself (SQL migrations, the web pages' files) into
// dist/. Each folder is replaced whole: a migration renamed or removed in src/ must not linger in
// dist/, where the service would apply it too.
import { cpSync, rmSync } from 'node:fs';

function mirror(from, to, filter) {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true, filter });
}

mirror('src/store/migrations', 'dist/store/migrations');
// The pages are served as written; their tests and type declarations stay behind.
mirror('src/http/web/public', 'dist/http/web/public', (source) => !source.endsWith('.ts'));
mirror('src/http/web/command', 'dist/http/web/command', (source) => !source.endsWith('.ts'));
