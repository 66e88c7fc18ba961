/**
 * A software WebAuthn authenticator for the tests: real ES256 keys (node:crypto), a real CBOR
 * `attestationObject` and `authenticatorData` (cborg), real signatures. It answers the JSON
 * options the service hands out exactly as a browser would pass them back, and every part a
 * test wants to get wrong (origin, RP ID, challenge, flags, counter, format) can be set.
 */
import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { encode as encodeCbor } from 'cborg';

// Plain, minimal-length CBOR as authenticators write it: no record extension, no tag 259 on
// maps, no fixed-width map headers (verifiers reject non-minimal lengths).
const encode = (value: unknown): Buffer => Buffer.from(encodeCbor(value));

/** Authenticator data flags (WebAuthn §6.1). */
export const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

export interface SoftAuthenticatorOptions {
  /** The origin the "browser" reports in clientDataJSON. */
  origin: string;
  /** `none` (default) or `packed` self-attestation. */
  format?: 'none' | 'packed';
  /** User presence (default true). */
  up?: boolean;
  /** User verification (default true). */
  uv?: boolean;
  /** Backup eligible (default false). */
  be?: boolean;
  /** Backed up (default false). */
  bs?: boolean;
  /** AAGUID, 16 bytes (default zeros). */
  aaguid?: Buffer;
}

/** What a test may falsify in one ceremony. */
export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  challenge?: string;
  type?: string;
  /** Sign a different message than the one sent (a broken signature). */
  corruptSignature?: boolean;
}

interface CreationOptions { challenge: string; rp: { id?: string }; user: { id: string } }
interface RequestOptions { challenge: string; rpId?: string }

const b64url = (b: Buffer | Uint8Array): string => Buffer.from(b).toString('base64url');
const sha256 = (b: Buffer | string): Buffer => createHash('sha256').update(b).digest();

function coseEs256PublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' }) as { x: string; y: string };
  // COSE_Key: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
  return Buffer.from(encode(new Map<number, number | Buffer>([
    [1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')],
  ])));
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(32);
  /** The sign counter the next ceremony reports (incremented before each assertion). */
  counter = 0;
  /** The WebAuthn user handle of the credential, once registered. */
  userHandle: string | undefined;
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private readonly opts: Required<Omit<SoftAuthenticatorOptions, 'aaguid'>> & { aaguid: Buffer };

  constructor(opts: SoftAuthenticatorOptions) {
    this.opts = { format: 'none', up: true, uv: true, be: false, bs: false, aaguid: Buffer.alloc(16), ...opts };
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  /** Changes flags for the following ceremonies. */
  set(flags: Partial<Pick<SoftAuthenticatorOptions, 'up' | 'uv' | 'be' | 'bs' | 'format'>>): this {
    Object.assign(this.opts, flags);
    return this;
  }

  private flags(attested: boolean): number {
    const o = this.opts;
    return (o.up ? FLAG.UP : 0) | (o.uv ? FLAG.UV : 0) | (o.be ? FLAG.BE : 0) | (o.bs ? FLAG.BS : 0) | (attested ? FLAG.AT : 0);
  }

  private authData(rpId: string, attested: boolean): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter >>> 0);
    const head = Buffer.concat([sha256(rpId), Buffer.from([this.flags(attested)]), counter]);
    if (!attested) return head;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    return Buffer.concat([head, this.opts.aaguid, idLength, this.credentialId, coseEs256PublicKey(this.keys.publicKey)]);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  private sign(authData: Buffer, clientData: Buffer, corrupt = false): Buffer {
    const signer = createSign('SHA256');
    signer.update(Buffer.concat([authData, sha256(clientData), corrupt ? Buffer.from([0]) : Buffer.alloc(0)]));
    return signer.sign(this.keys.privateKey);
  }

  /** navigator.credentials.create(): a RegistrationResponseJSON for `options`. */
  register(options: CreationOptions, o: CeremonyOverrides = {}) {
    const rpId = o.rpId ?? options.rp.id ?? 'localhost';
    const clientData = this.clientData(o.type ?? 'webauthn.create', o.challenge ?? options.challenge, o.origin ?? this.opts.origin);
    const authData = this.authData(rpId, true);
    const attStmt = this.opts.format === 'packed' ? { alg: -7, sig: this.sign(authData, clientData, o.corruptSignature) } : {};
    const attestationObject = Buffer.from(encode({ fmt: this.opts.format, attStmt, authData }));
    this.userHandle = options.user.id;
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64url(clientData), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get(): an AuthenticationResponseJSON for `options`; bumps the counter first. */
  assert(options: RequestOptions, o: CeremonyOverrides & { keepCounter?: boolean } = {}) {
    if (!o.keepCounter) this.counter += 1;
    const rpId = o.rpId ?? options.rpId ?? 'localhost';
    const clientData = this.clientData(o.type ?? 'webauthn.get', o.challenge ?? options.challenge, o.origin ?? this.opts.origin);
    const authData = this.authData(rpId, false);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(this.sign(authData, clientData, o.corruptSignature)),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
