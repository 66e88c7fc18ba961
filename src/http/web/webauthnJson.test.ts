/**
 * The page's WebAuthn JSON helpers, checked against @simplewebauthn/server itself: options it
 * generates decode to the bytes it encoded, and responses a software authenticator produces
 * (real ES256 key, real CBOR, real signatures), once turned into JSON by the helpers, verify.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { encode as encodeCbor } from 'cborg';
import {
  authenticationResponseToJSON, base64urlToBytes, bytesToBase64url, creationOptionsFromJSON, registrationResponseToJSON, requestOptionsFromJSON,
  type CredentialLike,
} from './public/webauthnJson.js';

const RP_ID = 'localhost';
const ORIGIN = 'http://localhost:8080';

// Plain CBOR, as authenticators write it.
const encode = (value: unknown): Buffer => Buffer.from(encodeCbor(value));
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

/** A one-credential authenticator for the test: what Chromium's virtual authenticator does. */
function softAuthenticator() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const credentialId = randomBytes(16);
  const jwk = publicKey.export({ format: 'jwk' });
  const coseKey = new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x as string, 'base64url')], [-3, Buffer.from(jwk.y as string, 'base64url')]]);
  let counter = 0;
  const clientData = (type: string, challenge: Uint8Array) => Buffer.from(JSON.stringify({ type, challenge: bytesToBase64url(challenge), origin: ORIGIN, crossOrigin: false }));
  const authData = (attested: Buffer | null) => {
    const flags = 0x01 | 0x04 | (attested ? 0x40 : 0); // user present, user verified, attested data
    const count = Buffer.alloc(4);
    count.writeUInt32BE(++counter);
    return Buffer.concat([sha256(RP_ID), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  };
  return {
    create(challenge: Uint8Array): CredentialLike {
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(credentialId.length);
      const data = authData(Buffer.concat([Buffer.alloc(16), idLength, credentialId, Buffer.from(encode(coseKey))]));
      return credential(clientData('webauthn.create', challenge), {
        attestationObject: encode({ fmt: 'none', attStmt: {}, authData: data }),
        getTransports: () => ['internal'],
      });
    },
    get(challenge: Uint8Array): CredentialLike {
      const cdj = clientData('webauthn.get', challenge);
      const data = authData(null);
      const signature = sign('sha256', Buffer.concat([data, sha256(cdj)]), privateKey as KeyObject);
      return credential(cdj, { authenticatorData: data, signature, userHandle: null });
    },
  };
  function credential(clientDataJSON: Buffer, response: Partial<CredentialLike['response']>): CredentialLike {
    // An ArrayBuffer slice, as browsers hand out, not a Node Buffer view of a shared pool.
    const rawId = credentialId.buffer.slice(credentialId.byteOffset, credentialId.byteOffset + credentialId.length);
    return {
      id: bytesToBase64url(credentialId), rawId, type: 'public-key', authenticatorAttachment: 'platform',
      getClientExtensionResults: () => ({}), response: { clientDataJSON, ...response },
    };
  }
}

describe('base64url', () => {
  it('round-trips every length of random bytes as Node encodes them', () => {
    for (let n = 0; n < 70; n += 1) {
      const bytes = randomBytes(n);
      const text = bytesToBase64url(bytes);
      expect(text).toBe(bytes.toString('base64url'));
      expect(Buffer.from(base64urlToBytes(text))).toEqual(bytes);
    }
  });

  it('encodes an ArrayBuffer and a view into a larger buffer alike', () => {
    const whole = Uint8Array.from([0, 1, 2, 250, 251, 252, 253]);
    expect(bytesToBase64url(whole.buffer)).toBe(Buffer.from(whole).toString('base64url'));
    expect(bytesToBase64url(whole.subarray(3, 6))).toBe(Buffer.from([250, 251, 252]).toString('base64url'));
  });

  it.each([
    ['padding', 'AAE='],
    ['standard base64 characters', 'a+b/'],
    ['an impossible length', 'AAAAA'],
    ['a number', 42],
  ])('refuses %s, naming the field', (_what, text) => {
    expect(() => base64urlToBytes(text, 'challenge')).toThrow(new TypeError('challenge must be base64url text'));
  });
});

describe('options from the API', () => {
  it('decodes registration options to the bytes the server encoded, keeping every other field', async () => {
    const excluded = randomBytes(20);
    const json = await generateRegistrationOptions({
      rpName: 'Enigm', rpID: RP_ID, userName: 'alice', userID: randomBytes(16),
      excludeCredentials: [{ id: excluded.toString('base64url'), transports: ['internal'] }],
    });
    const options = creationOptionsFromJSON(json);
    expect(bytesToBase64url(options.challenge)).toBe(json.challenge);
    expect(bytesToBase64url(options.user.id)).toBe(json.user.id);
    expect(options.user.name).toBe('alice');
    expect(Buffer.from(options.excludeCredentials?.[0].id as Uint8Array)).toEqual(excluded);
    expect(options.excludeCredentials?.[0].transports).toEqual(['internal']);
    expect(options.rp).toEqual(json.rp);
    expect(options.pubKeyCredParams).toEqual(json.pubKeyCredParams);
  });

  it('decodes authentication options, with and without allowed credentials', async () => {
    const allowed = randomBytes(16);
    const json = await generateAuthenticationOptions({ rpID: RP_ID, allowCredentials: [{ id: allowed.toString('base64url') }] });
    const options = requestOptionsFromJSON(json);
    expect(bytesToBase64url(options.challenge)).toBe(json.challenge);
    expect(Buffer.from(options.allowCredentials?.[0].id as Uint8Array)).toEqual(allowed);
    const discoverable = requestOptionsFromJSON(await generateAuthenticationOptions({ rpID: RP_ID }));
    expect('allowCredentials' in discoverable).toBe(false);
  });

  it.each([
    ['no object', null, 'registration options must be an object'],
    ['no user', { challenge: 'AAAA' }, 'registration options user must be an object'],
    ['a bad challenge', { challenge: 'not base64!', user: { id: 'AAAA' } }, 'registration options challenge must be base64url text'],
    ['a bad excluded id', { challenge: 'AAAA', user: { id: 'AAAA' }, excludeCredentials: [{ id: '?', type: 'public-key' }] }, 'registration options excludeCredentials[0].id must be base64url text'],
  ])('refuses registration options with %s', (_what, json, message) => {
    expect(() => creationOptionsFromJSON(json)).toThrow(message);
  });

  it('refuses authentication options whose allowCredentials is not a list', () => {
    expect(() => requestOptionsFromJSON({ challenge: 'AAAA', allowCredentials: 'x' })).toThrow('authentication options allowCredentials must be a list');
  });
});

describe('responses to the API', () => {
  it('turns a created credential into a registration response the server verifies', async () => {
    const authenticator = softAuthenticator();
    const json = await generateRegistrationOptions({ rpName: 'Enigm', rpID: RP_ID, userName: 'alice' });
    const response = registrationResponseToJSON(authenticator.create(creationOptionsFromJSON(json).challenge));
    expect(response.response).toEqual({ clientDataJSON: expect.any(String), attestationObject: expect.any(String), transports: ['internal'] });
    const verified = await verifyRegistrationResponse({
      response: response as never, expectedChallenge: json.challenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID, requireUserVerification: true,
    });
    expect(verified.verified).toBe(true);
  });

  it('turns an assertion into an authentication response the server verifies, leaving out a null user handle', async () => {
    const authenticator = softAuthenticator();
    const registration = await generateRegistrationOptions({ rpName: 'Enigm', rpID: RP_ID, userName: 'alice' });
    const created = registrationResponseToJSON(authenticator.create(creationOptionsFromJSON(registration).challenge));
    const { registrationInfo } = await verifyRegistrationResponse({ response: created as never, expectedChallenge: registration.challenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID });
    const json = await generateAuthenticationOptions({ rpID: RP_ID, allowCredentials: [{ id: created.id }] });
    const response = authenticationResponseToJSON(authenticator.get(requestOptionsFromJSON(json).challenge));
    expect(Object.keys(response.response).sort()).toEqual(['authenticatorData', 'clientDataJSON', 'signature']);
    const verified = await verifyAuthenticationResponse({
      response: response as never, expectedChallenge: json.challenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID,
      credential: registrationInfo!.credential, requireUserVerification: true,
    });
    expect(verified).toMatchObject({ verified: true, authenticationInfo: { newCounter: 2, userVerified: true } });
  });
});
