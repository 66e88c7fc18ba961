// What the policy scripts share: the pinned OPA binary and the input schemas as OPA reads them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The OPA that `make opa` builds from tools/go.mod. */
export const OPA = path.join(ROOT, '.tools/bin/opa');

function ensureOpa() {
  if (!existsSync(OPA)) throw new Error(`${path.relative(process.cwd(), OPA)} is missing: run \`make opa\` (make policy-build does) to build the pinned OPA`);
}

/** Runs OPA with the terminal as its output; throws when it fails (it has said why). */
export function opa(args, options = {}) {
  ensureOpa();
  const r = spawnSync(OPA, args, { stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0 && !(options.okStatus ?? []).includes(r.status)) throw new Error(`opa ${args[0]} failed (exit ${r.status})`);
  return r;
}

/** `1.22.4`, as the pinned OPA reports itself. */
export function opaVersion() {
  const out = opa(['version'], { capture: true }).stdout;
  return /^Version: (.*)$/m.exec(out)?.[1] ?? 'unknown';
}

function pointer(doc, ref) {
  return ref.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~')).reduce((v, k) => {
    if (v === null || typeof v !== 'object' || !(k in v)) throw new Error(`$ref ${ref} points nowhere`);
    return v[k];
  }, doc);
}

// A $ref with sibling keywords narrows its target: its properties join the target's, its
// `required` adds to the target's, and its other keywords (a description, say) win.
function narrow(target, siblings) {
  const out = { ...target, ...siblings };
  if (target.properties && siblings.properties) out.properties = { ...target.properties, ...siblings.properties };
  if (target.required && siblings.required) out.required = [...new Set([...target.required, ...siblings.required])];
  return out;
}

function inline(node, file, docs, trail) {
  if (Array.isArray(node)) return node.map((n) => inline(n, file, docs, trail));
  if (node === null || typeof node !== 'object') return node;
  const { $ref, $defs: _defs, $id: _id, $schema: _schema, ...rest } = node;
  const own = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, inline(v, file, docs, trail)]));
  if ($ref === undefined) return own;
  const [target, ref = ''] = $ref.split('#');
  const targetFile = target === '' ? file : target;
  const key = `${targetFile}#${ref}`;
  if (trail.includes(key)) throw new Error(`${file}: recursive $ref ${key} cannot be inlined`);
  if (!docs.has(targetFile)) throw new Error(`${file}: $ref to ${targetFile}, which is not in the schemas folder`);
  const resolved = inline(pointer(docs.get(targetFile), ref), targetFile, docs, [...trail, key]);
  return Object.keys(own).length === 0 ? resolved : narrow(resolved, own);
}

/**
 * Writes each `*.schema.json` of `from` (top level) to `to` with every `$ref` replaced by what
 * it points at, so `opa check --schema` needs no network and sees one document per input.
 * The file names stay, so policies name them as `schema["policy-input.schema"]`.
 */
export function inlineSchemaRefs(from, to) {
  const docs = new Map(readdirSync(from).filter((f) => f.endsWith('.schema.json'))
    .map((f) => [f, JSON.parse(readFileSync(path.join(from, f), 'utf8'))]));
  mkdirSync(to, { recursive: true });
  for (const [file, doc] of docs) {
    // Written aside and renamed, so a build running beside this one never reads half a file.
    const aside = path.join(to, `.${file}.${process.pid}`);
    writeFileSync(aside, JSON.stringify(inline(doc, file, docs, []), null, 2) + '\n');
    renameSync(aside, path.join(to, file));
  }
}
