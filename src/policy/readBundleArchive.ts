/**
 * Reads an OPA bundle file (a gzipped tar, as `opa build` writes it) into its files, by
 * path without the leading `/`. Only regular files with plain relative paths are taken, and
 * the sizes are bounded, so a hostile archive cannot escape, hide a file twice or fill memory.
 */
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { PolicyBundleError } from './bundleError.js';

/** Upper bound of an unpacked bundle; the product's bundle is well under 1 MiB. */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

function gunzip(bytes: Buffer): Buffer {
  // Checked first: zlib's own words for a non-gzip file ("incorrect header check") say little.
  if (bytes.length < 2 || !bytes.subarray(0, 2).equals(GZIP_MAGIC)) {
    throw new PolicyBundleError('not_a_bundle', 'not a gzipped tar (an OPA bundle is what `opa build` writes)');
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_BUNDLE_BYTES });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || (e as Error).name === 'RangeError') {
      throw new PolicyBundleError('bundle_too_large', `unpacks to more than ${MAX_BUNDLE_BYTES} bytes`);
    }
    if (code === 'Z_BUF_ERROR') throw new PolicyBundleError('bundle_truncated', 'the gzip stream ends early: the file is truncated');
    throw new PolicyBundleError('not_a_bundle', `not a gzipped tar: ${(e as Error).message}`);
  }
}

/** `/a/b.rego` → `a/b.rego`; refuses what could name a place outside the bundle. */
function bundlePath(name: string): string {
  const trimmed = name.replace(/^\/+/, '');
  const parts = trimmed.split('/');
  if (trimmed === '' || parts.some((p) => p === '' || p === '.' || p === '..') || trimmed.includes('\\') || trimmed.includes('\u0000')) {
    throw new PolicyBundleError('not_a_bundle', `the bundle holds a file with an unsafe path: ${JSON.stringify(name)}`);
  }
  return trimmed;
}

async function untar(tar: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const reader = extract();
  const done = (async () => {
    for await (const entry of reader) {
      const { name, type } = entry.header;
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if (type === 'directory') continue;
      if (type !== 'file') throw new PolicyBundleError('not_a_bundle', `${JSON.stringify(name)} is a ${type ?? 'special'} entry: a bundle holds regular files only`);
      const file = bundlePath(name);
      if (files.has(file)) throw new PolicyBundleError('not_a_bundle', `the bundle holds ${file} twice`);
      files.set(file, Buffer.concat(chunks));
    }
  })();
  reader.end(tar);
  try {
    await done;
  } catch (e) {
    if (e instanceof PolicyBundleError) throw e;
    const message = (e as Error).message;
    if (/unexpected end/i.test(message)) throw new PolicyBundleError('bundle_truncated', 'the tar archive ends early: the file is truncated');
    throw new PolicyBundleError('not_a_bundle', `not a tar archive: ${message}`);
  }
  return files;
}

/** The files of a bundle file's bytes; a `PolicyBundleError` says why when they cannot be read. */
export async function readBundleArchive(bytes: Buffer): Promise<Map<string, Buffer>> {
  const files = await untar(gunzip(bytes));
  if (files.size === 0) throw new PolicyBundleError('not_a_bundle', 'the archive holds no files');
  return files;
}
