import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.data/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly', global: 'readonly', Buffer: 'readonly', fetch: 'readonly', structuredClone: 'readonly', TextEncoder: 'readonly' } },
  },
  {
    // The page served at `/` and the console at `/command/` run in the browser.
    files: ['src/http/web/public/**/*.js', 'src/http/web/command/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(['window', 'document', 'navigator', 'atob', 'btoa', 'sessionStorage', 'fetch', 'crypto',
        'console', 'URL', 'Uint8Array', 'ArrayBuffer', 'TextEncoder', 'TextDecoder', 'PublicKeyCredential', 'HTMLElement',
        'setTimeout', 'clearTimeout', 'location', 'history', 'Event', 'FormData', 'AbortController', 'URLSearchParams', 'DataView', 'queueMicrotask', 'setInterval'].map((g) => [g, 'readonly'])),
    },
  },
);
