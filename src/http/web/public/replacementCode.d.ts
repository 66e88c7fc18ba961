/** Types of replacementCode.js (plain JavaScript served to the browser) for its tests. */
export interface Replacement {
  accountHandle: string;
  enrollmentId: string;
  deviceId: string;
  label: string;
  registrationOptions: Record<string, unknown>;
}

export function encodeReplacementCode(replacement: Replacement): string;
export function decodeReplacementCode(text: unknown): Replacement;
