// `make policy-build`: OPA type-checks the policies against the input schemas, then compiles them
// to WebAssembly in an OPA bundle the service loads (`dist/bundle.tar.gz`), signed.
//
//   node scripts/policy-build.mjs [--policies DIR] [--out FILE] [--signing-key PEM | --unsigned]
//
// The revision is the SHA-256 of the policy files' paths and text, so the same sources always
// give the same revision. Without --signing-key the bundle is signed with a development key
// made once under DATA_DIR (default ./.data); production builds pass their own key.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inlineSchemaRefs, OPA, opa, opaVersion } from './lib/opa.mjs';

const ENTRYPOINTS = ['enigm/trust/decision/result', 'enigm/trust/enrollment/result'];
const SCHEMAS = 'schemas';
// Where OPA reads the input schemas from: ours with their cross-file $refs inlined, because
// OPA would fetch a $ref to another file from the schema's $id URL.
const OPA_SCHEMAS = 'dist/policy-schemas';

function parseArgs(argv) {
  const opts = { policies: 'policies', out: 'dist/bundle.tar.gz', signingKey: undefined, unsigned: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--policies' && argv[i + 1]) opts.policies = argv[++i];
    else if (a === '--out' && argv[i + 1]) opts.out = argv[++i];
    else if (a === '--signing-key' && argv[i + 1]) opts.signingKey = argv[++i];
    else if (a === '--unsigned') opts.unsigned = true;
    else throw new Error(`unexpected argument "${a}" (use --policies DIR, --out FILE, --signing-key PEM, --unsigned)`);
  }
  return opts;
}

/** The policy files (tests excluded) relative to `dir`, sorted: what the bundle holds. */
function policyFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.rego') && !e.name.endsWith('_test.rego'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

function revisionOf(dir) {
  const files = policyFiles(dir);
  if (files.length === 0) throw new Error(`no policies (*.rego) in ${dir}`);
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\u0000').update(readFileSync(path.join(dir, file), 'utf8')).update('\u0000');
  return `sha256:${hash.digest('hex')}`;
}

/** The JWS algorithm OPA signs with for a private key of this type. */
function signingAlgorithm(pem) {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType === 'ec') {
    const alg = { 'prime256v1': 'ES256', 'secp384r1': 'ES384', 'secp521r1': 'ES512' }[key.asymmetricKeyDetails.namedCurve];
    if (alg) return alg;
  }
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return 'RS256';
  throw new Error(`the signing key must be an EC (P-256, P-384, P-521) or RSA private key in PEM; got ${key.asymmetricKeyType}`);
}

/** The development signing key: made once, kept beside the embedded database, private to its owner. */
function developmentKey() {
  const dataDir = process.env.DATA_DIR || '.data';
  const file = path.join(dataDir, 'policy-signing-key.pem');
  const pub = path.join(dataDir, 'policy-signing-key.pub.pem');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    console.log(`made a development policy signing key: ${file} (public key ${pub})`);
  } else if (!existsSync(pub)) {
    writeFileSync(pub, createPublicKey(readFileSync(file)).export({ type: 'spki', format: 'pem' }));
  }
  return file;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  console.log(`policy toolchain: OPA ${opaVersion()} (${OPA})`);
  inlineSchemaRefs(SCHEMAS, OPA_SCHEMAS);
  opa(['check', '--strict', '--schema', OPA_SCHEMAS, opts.policies]);
  const revision = revisionOf(opts.policies);
  const signingKey = opts.unsigned ? undefined : (opts.signingKey ?? developmentKey());
  const signing = signingKey === undefined ? [] : ['--signing-key', signingKey, '--signing-alg', signingAlgorithm(readFileSync(signingKey))];
  mkdirSync(path.dirname(opts.out), { recursive: true });
  opa([
    'build', '--bundle', '--target', 'wasm', ...ENTRYPOINTS.flatMap((e) => ['--entrypoint', e]),
    '--revision', revision, ...signing,
    '--ignore', '*_test.rego', '--ignore', '*.md',
    '--output', opts.out, opts.policies,
  ]);
  console.log(`policy bundle ${opts.out}: revision ${revision}, ${signingKey === undefined ? 'unsigned' : `signed with ${signingKey}`}`);
}

try {
  main();
} catch (e) {
  console.error(`policy-build: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
