/**
 * Where the package's data folders are, from source (src/) and built (dist/) code alike:
 * both sit one level below the package root.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
export const SCHEMAS_DIR = path.join(PACKAGE_ROOT, 'schemas');
export const FIXTURES_DIR = path.join(PACKAGE_ROOT, 'fixtures');
/** The OPA bundle `make policy-build` writes and the service serves by default. */
export const POLICY_BUNDLE_FILE = path.join(PACKAGE_ROOT, 'dist', 'bundle.tar.gz');
