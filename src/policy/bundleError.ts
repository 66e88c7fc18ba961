/**
 * Why a policy bundle was refused. The service does not start (or a reload keeps the
 * previous bundle) and says this in one line; `code` is stable for tests and operators.
 */
export type BundleErrorCode =
  | 'bundle_missing'
  | 'bundle_unreadable'
  | 'bundle_too_large'
  | 'bundle_truncated'
  | 'not_a_bundle'
  | 'manifest_invalid'
  | 'entrypoint_missing'
  | 'wasm_invalid'
  | 'wasm_abi_unsupported'
  | 'wasm_builtin_missing'
  | 'bundle_unsigned'
  | 'signature_invalid'
  | 'signature_files_mismatch'
  | 'verification_key_invalid';

export class PolicyBundleError extends Error {
  override readonly name = 'PolicyBundleError';

  /** The bundle file, once known (`loadBundle` fills it in). */
  file: string | undefined;

  constructor(
    readonly code: BundleErrorCode,
    message: string,
  ) {
    super(message);
  }
}
