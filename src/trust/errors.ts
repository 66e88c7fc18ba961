/**
 * Domain errors. Each carries a stable `code` and the HTTP status it maps to, so the HTTP
 * layer renders any of them as problem+json without knowing the domain.
 */

export class TrustError extends Error {
  override name = 'TrustError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class NotFoundError extends TrustError {
  override name = 'NotFoundError';
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}

/** The request conflicts with the current state (a lifecycle rule, or a race another request won). */
export class ConflictError extends TrustError {
  override name = 'ConflictError';
  constructor(code: string, message: string, extensions: Record<string, unknown> = {}) {
    super(409, code, message, extensions);
  }
}

export class ForbiddenError extends TrustError {
  override name = 'ForbiddenError';
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}

/** The service key that asked was revoked after the request was authenticated. */
export class CallerRevokedError extends TrustError {
  override name = 'CallerRevokedError';
  constructor(readonly keyId: string) {
    super(401, 'unauthenticated', 'the token is unknown, revoked or expired');
  }
}
