import { exportJWK, generateKeyPair, jwtVerify, importJWK } from 'jose';
import { createSigningKeyStore, sealPrivateJwk, unsealPrivateJwk, SigningKeyError } from './signingKeys.js';
import { signSet } from './securityEventToken.js';
import type { Database } from '../store/database.js';

const SECRET = 'a-test-id-secret-that-is-long-enough-0123';
// A configured key never touches the database: any use of it is a test failure.
const noDatabase = new Proxy({}, { get: () => { throw new Error('the database must not be used'); } }) as Database;

describe('SET signing keys', () => {
  it('seals a private key so that only the same ID secret and kid open it', async () => {
    const jwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const sealed = sealPrivateJwk(jwk, 'kid-1', SECRET);
    expect(sealed).not.toContain(jwk.d as string);
    expect(unsealPrivateJwk(sealed, 'kid-1', SECRET)).toEqual(jwk);
    expect(() => unsealPrivateJwk(sealed, 'kid-1', SECRET.replace('a', 'b'))).toThrow(SigningKeyError);
    expect(() => unsealPrivateJwk(sealed, 'kid-2', SECRET)).toThrow(SigningKeyError);
    const [v, iv, body] = sealed.split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(() => unsealPrivateJwk([v, iv, flipped.toString('base64url')].join('.'), 'kid-1', SECRET)).toThrow(SigningKeyError);
  });

  it('signs with a configured private JWK, publishing only its public half', async () => {
    const jwk = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid: 'configured-1' };
    const key = await createSigningKeyStore({ db: noDatabase, idSecret: SECRET, configuredJwk: JSON.stringify(jwk) }).current();
    expect(key.kid).toBe('configured-1');
    expect(key.publicJwk).toEqual({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid: 'configured-1', alg: 'ES256', use: 'sig' });
    const token = await signSet({ jti: 'x' }, key);
    const { protectedHeader } = await jwtVerify(token, await importJWK(key.publicJwk, 'ES256'));
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: 'configured-1', typ: 'secevent+jwt' });
  });

  it.each([
    ['not JSON', 'not json'],
    ['a public key', '{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}'],
    ['an RSA key', '{"kty":"RSA","n":"AA","e":"AQAB","d":"AA"}'],
    ['another curve', '{"kty":"EC","crv":"P-384","x":"AA","y":"AA","d":"AA"}'],
  ])('refuses a configured key that is %s', async (_what, configured) => {
    await expect(createSigningKeyStore({ db: noDatabase, idSecret: SECRET, configuredJwk: configured }).current()).rejects.toThrow(SigningKeyError);
  });
});
