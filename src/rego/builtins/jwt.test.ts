import { constants, createHmac, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { ObjectValue, toJS, type Value } from '../value/index.js';
import { jwtBuiltins } from './jwt.js';
import { familyCaller } from './testkit.js';

const NOW_SECONDS = 1_700_000_000;
const { call, errorOf } = familyCaller(jwtBuiltins, { nowNs: BigInt(NOW_SECONDS) * 1_000_000_000n });

const b64 = (x: unknown): string => Buffer.from(JSON.stringify(x)).toString('base64url');

/** Signs a token for real with node:crypto, as an issuer would. */
function makeToken(alg: string, payload: unknown, key: KeyObject | string): string {
  const input = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
  let signature: Buffer;
  if (typeof key === 'string') signature = createHmac('sha' + alg.slice(2), key).update(input).digest();
  else if (alg === 'EdDSA') signature = sign(null, Buffer.from(input), key);
  else if (alg.startsWith('ES')) signature = sign('sha' + alg.slice(2), Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  else if (alg.startsWith('PS')) signature = sign('sha' + alg.slice(2), Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  else signature = sign('sha' + alg.slice(2), Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (k: KeyObject): string => k.export({ type: 'spki', format: 'pem' }) as string;
const jwk = (k: KeyObject): string => JSON.stringify(k.export({ format: 'jwk' }));

/** A self-signed P-256 certificate and its key, made with openssl for these tests only. */
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBgDCCASegAwIBAgIUWh3dYziJDl4w8Umw3U8wPp10eCgwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKZW5pZ20tdGVzdDAgFw0yNjExMjUwOTA5NDdaGA8yMTI2MTEw
MTA5MDk0N1owFTETMBEGA1UEAwwKZW5pZ20tdGVzdDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABKh+/BrFjSsYAlQQnq/ETV6y6dER76+fY+3VOgCTLSFg5y+VT7l6
0l2vYNcEUG1Xax3b1ERs9wtYOkRpr813dlWjUzBRMB0GA1UdDgQWBBTm6zStNF8W
Ue+SM7L+o3EzMXknizAfBgNVHSMEGDAWgBTm6zStNF8WUe+SM7L+o3EzMXknizAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIHPr844ZcBwOfyEvtK8z
tvPB8O8QiA0BqETpCm6mVAkSAiA5yP57IedLgEHC+IFdKDW9vEPtBSpaWVmST9Qy
F05cGw==
-----END CERTIFICATE-----`;
const CERTIFICATE_KEY = createPrivateKey(`-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgJ59rPKEbBszYkM5W
i96n7hRuq7i3UOy6yxpvsiREHPWhRANCAASofvwaxY0rGAJUEJ6vxE1esunREe+v
n2Pt1ToAky0hYOcvlU+5etJdr2DXBFBtV2sd29REbPcLWDpEaa/Nd3ZV
-----END PRIVATE KEY-----`);

const claims = { sub: 'device-1', iss: 'enigm', aud: 'trust', exp: NOW_SECONDS + 60, nbf: NOW_SECONDS - 60 };

describe('io.jwt.decode', () => {
  it('returns header, payload and the signature in hex', () => {
    const token = makeToken('HS256', { sub: 'x', n: 1 }, 'secret');
    const [header, payload, sig] = call('io.jwt.decode', token) as Value[];
    expect(toJS(header)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(toJS(payload)).toEqual({ sub: 'x', n: 1 });
    expect(sig).toBe(Buffer.from(token.split('.')[2], 'base64url').toString('hex'));
  });

  it('refuses malformed tokens', () => {
    expect(errorOf('io.jwt.decode', 'a.b').kind).toBe('builtin');
    expect(errorOf('io.jwt.decode', 'a!.b.c').kind).toBe('builtin');
    expect(errorOf('io.jwt.decode', `${b64({ alg: 'none' })}.bm90IGpzb24.`).kind).toBe('builtin');
    expect(errorOf('io.jwt.decode', `${b64({ alg: 'none' })}.${b64([1])}.`).kind).toBe('builtin');
    expect(errorOf('io.jwt.decode', 1).kind).toBe('type');
  });
});

describe('io.jwt.verify_*', () => {
  it('verifies RS256, PS256, ES256 and EdDSA with PEM keys', () => {
    expect(call('io.jwt.verify_rs256', makeToken('RS256', claims, rsa.privateKey), pem(rsa.publicKey))).toBe(true);
    expect(call('io.jwt.verify_ps256', makeToken('PS256', claims, rsa.privateKey), pem(rsa.publicKey))).toBe(true);
    expect(call('io.jwt.verify_es256', makeToken('ES256', claims, ec.privateKey), pem(ec.publicKey))).toBe(true);
    expect(call('io.jwt.verify_eddsa', makeToken('EdDSA', claims, ed.privateKey), pem(ed.publicKey))).toBe(true);
  });

  it('takes the key of an X.509 certificate', () => {
    expect(call('io.jwt.verify_es256', makeToken('ES256', claims, CERTIFICATE_KEY), CERTIFICATE)).toBe(true);
    expect(call('io.jwt.verify_es256', makeToken('ES256', claims, ec.privateKey), CERTIFICATE)).toBe(false);
  });

  it('accepts JWK and JWKS keys', () => {
    const token = makeToken('ES256', claims, ec.privateKey);
    expect(call('io.jwt.verify_es256', token, jwk(ec.publicKey))).toBe(true);
    const set = JSON.stringify({ keys: [JSON.parse(jwk(rsa.publicKey)), JSON.parse(jwk(ec.publicKey))] });
    expect(call('io.jwt.verify_es256', token, set)).toBe(true);
    const withSecret = JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }, JSON.parse(jwk(ec.publicKey))] });
    expect(call('io.jwt.verify_es256', token, withSecret)).toBe(true);
  });

  it('verifies HS256 with a secret', () => {
    expect(call('io.jwt.verify_hs256', makeToken('HS256', claims, 'hunter2'), 'hunter2')).toBe(true);
    expect(call('io.jwt.verify_hs256', makeToken('HS256', claims, 'hunter2'), 'hunter3')).toBe(false);
  });

  it('rejects a wrong key, a tampered payload and a key of another type', () => {
    const token = makeToken('RS256', claims, rsa.privateKey);
    expect(call('io.jwt.verify_rs256', token, pem(otherRsa.publicKey))).toBe(false);
    const [h, , s] = token.split('.');
    expect(call('io.jwt.verify_rs256', `${h}.${b64({ ...claims, sub: 'evil' })}.${s}`, pem(rsa.publicKey))).toBe(false);
    expect(call('io.jwt.verify_es256', token, pem(rsa.publicKey))).toBe(false);
    expect(call('io.jwt.verify_rs256', makeToken('ES256', claims, ec.privateKey), pem(ec.publicKey))).toBe(false);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    expect(call('io.jwt.verify_es256', makeToken('ES256', claims, ec.privateKey), pem(p384))).toBe(false);
  });

  it('refuses unreadable keys', () => {
    expect(errorOf('io.jwt.verify_rs256', makeToken('RS256', claims, rsa.privateKey), 'not a key').kind).toBe('builtin');
    const privatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(errorOf('io.jwt.verify_rs256', makeToken('RS256', claims, rsa.privateKey), privatePem).kind).toBe('builtin');
    expect(errorOf('io.jwt.verify_rs256', makeToken('RS256', claims, rsa.privateKey), pem(rsa.publicKey) + pem(ec.publicKey)).kind).toBe('builtin');
  });

  it('verifies without reading the header or payload, as OPA does', () => {
    const input = 'bm90IGpzb24.bm90IGpzb24';
    const token = `${input}.${createHmac('sha256', 's').update(input).digest('base64url')}`;
    expect(call('io.jwt.verify_hs256', token, 's')).toBe(true);
    expect(errorOf('io.jwt.decode', token).kind).toBe('builtin');
  });
});

describe('io.jwt.decode_verify', () => {
  const constraints = (entries: Record<string, Value>): ObjectValue => ObjectValue.from(Object.entries(entries));
  const token = makeToken('ES256', claims, ec.privateKey);
  const cert = pem(ec.publicKey);

  it('returns [true, header, payload] when every constraint holds', () => {
    const [valid, header, payload] = call('io.jwt.decode_verify', token, constraints({ cert, iss: 'enigm', aud: 'trust', alg: 'ES256' })) as Value[];
    expect(valid).toBe(true);
    expect(toJS(header)).toEqual({ alg: 'ES256', typ: 'JWT' });
    expect(toJS(payload)).toEqual(claims);
  });

  it('returns [false, {}, {}] when a constraint fails', () => {
    const invalid = [false, new ObjectValue(), new ObjectValue()];
    expect(call('io.jwt.decode_verify', token, constraints({ cert, aud: 'trust', iss: 'other' }))).toEqual(invalid);
    expect(call('io.jwt.decode_verify', token, constraints({ cert, aud: 'other' }))).toEqual(invalid);
    expect(call('io.jwt.decode_verify', token, constraints({ cert }))).toEqual(invalid); // the token has an audience
    expect(call('io.jwt.decode_verify', token, constraints({ cert, aud: 'trust', alg: 'RS256' }))).toEqual(invalid);
    expect(call('io.jwt.decode_verify', token, constraints({ cert: pem(ed.publicKey), aud: 'trust' }))).toEqual(invalid);
  });

  it('checks the issuer only when the token names one', () => {
    const noIssuer = makeToken('ES256', { aud: 'trust' }, ec.privateKey);
    expect((call('io.jwt.decode_verify', noIssuer, constraints({ cert, aud: 'trust', iss: 'enigm' })) as Value[])[0]).toBe(true);
  });

  it('verifies each layer of a nested token and returns the inner claims', () => {
    const inner = makeToken('ES256', { sub: 'inner' }, ec.privateKey);
    const outerInput = `${b64({ alg: 'ES256', cty: 'JWT' })}.${Buffer.from(inner).toString('base64url')}`;
    const outer = `${outerInput}.${sign('sha256', Buffer.from(outerInput), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    const [valid, , payload] = call('io.jwt.decode_verify', outer, constraints({ cert })) as Value[];
    expect(valid).toBe(true);
    expect(toJS(payload)).toEqual({ sub: 'inner' });
    expect(toJS((call('io.jwt.decode', outer) as Value[])[1])).toEqual({ sub: 'inner' });
  });

  it('treats an unknown critical header as invalid and a missing alg as invalid', () => {
    const critInput = `${b64({ alg: 'HS256', crit: ['x-must'], 'x-must': 1 })}.${b64({})}`;
    const crit = `${critInput}.${createHmac('sha256', 'k').update(critInput).digest('base64url')}`;
    expect((call('io.jwt.decode_verify', crit, constraints({ secret: 'k' })) as Value[])[0]).toBe(false);
    const noAlg = `${b64({ typ: 'JWT' })}.${b64({})}.`;
    expect((call('io.jwt.decode_verify', noAlg, constraints({ secret: 'k' })) as Value[])[0]).toBe(false);
  });

  it('checks exp and nbf against the given time, or the evaluation clock', () => {
    const at = (seconds: number): Value => BigInt(seconds) * 1_000_000_000n;
    expect((call('io.jwt.decode_verify', token, constraints({ cert, aud: 'trust', time: at(NOW_SECONDS + 60) })) as Value[])[0]).toBe(false);
    expect((call('io.jwt.decode_verify', token, constraints({ cert, aud: 'trust', time: at(NOW_SECONDS - 61) })) as Value[])[0]).toBe(false);
    expect((call('io.jwt.decode_verify', token, constraints({ cert, aud: 'trust', time: at(NOW_SECONDS + 59) })) as Value[])[0]).toBe(true);
  });

  it('verifies HMAC tokens with a secret and audience lists', () => {
    const hs = makeToken('HS256', { aud: ['a', 'b'] }, 'k');
    expect((call('io.jwt.decode_verify', hs, constraints({ secret: 'k', aud: 'b' })) as Value[])[0]).toBe(true);
    expect((call('io.jwt.decode_verify', hs, constraints({ cert, aud: 'b' })) as Value[])[0]).toBe(false);
  });

  it('refuses unknown, duplicate or missing key constraints', () => {
    expect(errorOf('io.jwt.decode_verify', token, constraints({ cert, colour: 'red' })).kind).toBe('builtin');
    expect(errorOf('io.jwt.decode_verify', token, constraints({ cert, secret: 'x' })).kind).toBe('builtin');
    expect(errorOf('io.jwt.decode_verify', token, constraints({ aud: 'trust' })).kind).toBe('builtin');
    expect(errorOf('io.jwt.decode_verify', token, constraints({ cert, time: 'now' })).kind).toBe('builtin');
    expect(errorOf('io.jwt.decode_verify', token, constraints({ cert, time: -1 })).kind).toBe('builtin');
    expect(errorOf('io.jwt.decode_verify', token, constraints({ secret: 'x', aud: 'trust' })).kind).toBe('builtin');
    expect(errorOf('io.jwt.decode_verify', `${b64({ alg: 'XX256' })}.${b64({})}.`, constraints({ secret: 'x' })).kind).toBe('builtin');
    expect(errorOf('io.jwt.decode_verify', `${b64({ alg: 'HS256', enc: 'A128GCM' })}.${b64({})}.`, constraints({ secret: 'x' })).kind).toBe('builtin');
    expect(errorOf('io.jwt.decode_verify', 1, constraints({ cert })).kind).toBe('type');
  });
});
