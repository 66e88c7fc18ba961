/** Types of apiClient.js (served to the browser as is) for the TypeScript tests that import it. */
export class ApiError extends Error {
  constructor(status: number, problem?: Record<string, unknown>);
  status: number;
  code: string;
  problem: Record<string, unknown> | undefined;
}
export function createApi(currentToken: () => string | null, fetchImpl?: typeof fetch): (method: string, path: string, body?: unknown) => Promise<unknown>;
