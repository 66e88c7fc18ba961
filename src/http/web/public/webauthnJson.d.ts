/**
 * Types of webauthnJson.js (plain JavaScript, served to the browser as is) for the
 * TypeScript tests that import it. Kept minimal: the shapes the functions read and return.
 */
export type Bytes = ArrayBuffer | ArrayBufferView;

export interface CredentialDescriptorJSON {
  id: string;
  type: string;
  transports?: string[];
}

export interface CreationOptionsJSON {
  challenge: string;
  user: { id: string; name: string; displayName: string };
  excludeCredentials?: CredentialDescriptorJSON[];
  [field: string]: unknown;
}

export interface RequestOptionsJSON {
  challenge: string;
  allowCredentials?: CredentialDescriptorJSON[];
  [field: string]: unknown;
}

export interface DecodedDescriptor {
  id: Uint8Array;
  type: string;
  transports?: string[];
}

export interface CreationOptions {
  challenge: Uint8Array;
  user: { id: Uint8Array; name: string; displayName: string };
  excludeCredentials?: DecodedDescriptor[];
  [field: string]: unknown;
}

export interface RequestOptions {
  challenge: Uint8Array;
  allowCredentials?: DecodedDescriptor[];
  [field: string]: unknown;
}

/** What the functions read of a `PublicKeyCredential`. */
export interface CredentialLike {
  id: string;
  rawId: Bytes;
  type: string;
  authenticatorAttachment?: string | null;
  getClientExtensionResults?: () => Record<string, unknown>;
  response: {
    clientDataJSON: Bytes;
    attestationObject?: Bytes;
    authenticatorData?: Bytes;
    signature?: Bytes;
    userHandle?: Bytes | null;
    getTransports?: () => string[];
    getPublicKeyAlgorithm?: () => number;
    getPublicKey?: () => Bytes | null;
    getAuthenticatorData?: () => Bytes;
  };
}

export interface ResponseJSON {
  id: string;
  rawId: string;
  type: string;
  authenticatorAttachment?: string;
  clientExtensionResults: Record<string, unknown>;
  response: Record<string, unknown>;
}

export function base64urlToBytes(text: unknown, field?: string): Uint8Array;
export function bytesToBase64url(data: Bytes): string;
export function creationOptionsFromJSON(json: unknown): CreationOptions;
export function requestOptionsFromJSON(json: unknown): RequestOptions;
export function registrationResponseToJSON(credential: CredentialLike): ResponseJSON;
export function authenticationResponseToJSON(credential: CredentialLike): ResponseJSON;
