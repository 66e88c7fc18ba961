/** Types of links.js (served to the browser as is) for the TypeScript tests that import it. */
export function approvalLink(origin: string, enrollmentId: string): string;
export function replacementLink(origin: string, code: string): string;
export function readLink(text: string | null | undefined): { link: string } | { replace: string } | null;
