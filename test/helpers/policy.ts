/**
 * The policy bundle the service serves (`make policy-build` writes it), for tests that need
 * real decisions. Loaded once per test file.
 */
import { existsSync } from 'node:fs';
import { POLICY_BUNDLE_FILE } from '../../src/paths.js';
import { openPolicyStore, type PolicyStore } from '../../src/policy/policyStore.js';

let served: Promise<PolicyStore> | undefined;

/** The built bundle of `policies/`, as the service loads it by default. */
export function servedPolicies(): Promise<PolicyStore> {
  if (!existsSync(POLICY_BUNDLE_FILE)) throw new Error(`${POLICY_BUNDLE_FILE} is missing: run \`make policy-build\` (make test does) before the tests`);
  return (served ??= openPolicyStore(POLICY_BUNDLE_FILE));
}
