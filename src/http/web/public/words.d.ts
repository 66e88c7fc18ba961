/** Types of words.js (served to the browser as is) for the TypeScript tests that import it. */
export const PROBLEMS: Record<string, string | ((problem: Record<string, unknown> | undefined) => string)>;
export function describeProblem(err: unknown): string;
export function personError(message: string): Error;
export const PLATFORMS: Array<[string, string]>;
export function describeRequirement(code: string): string;
export function describeState(state: string): string;
export function platformName(code: string): string;
export function formatTime(value: string | null | undefined): string;
export interface ActivityItemJSON {
  id: string; at: string; event: 'enrollment_started' | 'state_changed'; deviceId: string; deviceLabel: string;
  from: string | null; to: string | null; reason: string | null; approvalMethod: string | null;
  actor: { kind: string; deviceId?: string; label?: string | null; role?: string | null }; unseen: boolean;
}
export function describeActivity(item: ActivityItemJSON, currentDeviceId: string): string;
