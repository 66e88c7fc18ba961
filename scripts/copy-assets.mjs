// Copies what the compiled code reads beside itself (SQL migrations, the web page's files) into dist/.
import { cpSync } from 'node:fs';

cpSync('src/store/migrations', 'dist/store/migrations', { recursive: true });
// The page is served as written; its tests and type declarations stay behind.
cpSync('src/http/web/public', 'dist/http/web/public', { recursive: true, filter: (source) => !source.endsWith('.ts') });
cpSync('src/http/web/command', 'dist/http/web/command', { recursive: true, filter: (source) => !source.endsWith('.ts') });
