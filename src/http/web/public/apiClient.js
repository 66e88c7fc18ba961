/**
 * Calls to the Enigm Trust API from the page: JSON in and out, the device session as a
 * bearer token (never a cookie: credentials are omitted), and problem+json errors turned
 * into an `ApiError` carrying the problem's stable `code`. Its message names only the status
 * and code: what a person reads comes from words.js, never from the service's `detail`.
 */

/** A refused or failed API call: `status` (0 when the service was unreachable), `code`, `problem`. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(`the service answered ${status}${problem && typeof problem.code === 'string' ? ` (${problem.code})` : ''}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem && typeof problem.code === 'string' ? problem.code : 'http_error';
    this.problem = problem;
  }
}

/**
 * A function `call(method, path, body?)` resolving to the parsed JSON answer.
 * `currentToken()` gives the session token to send, or null for none.
 */
export function createApi(currentToken, fetchImpl = fetch) {
  return async function call(method, path, body) {
    const headers = { accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = currentToken();
    if (token) headers.authorization = `Bearer ${token}`;
    let res;
    try {
      res = await fetchImpl(path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit', cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new ApiError(0, { code: 'network_error' });
    }
    const text = await res.text();
    let data;
    try {
      data = text === '' ? undefined : JSON.parse(text);
    } catch {
      data = undefined;
    }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  };
}
