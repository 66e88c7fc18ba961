/** Types of linkCode.js (served to the browser as is) for the TypeScript tests that import it. */
export function verificationCode(challenge: string, credentialId: string): Promise<string>;
export function formatCode(code: string): string;
