/**
 * Holds the bundle being served and swaps it on reload. A reload that fails keeps the
 * current revision: a broken or badly signed bundle never takes the service's policy away.
 */
import { loadBundle, type LoadBundleOptions, type PolicyBundle } from './bundle.js';

export interface PolicyStore {
  current(): PolicyBundle;
  /** Reads the bundle file again; on failure keeps the old bundle and returns the error. */
  reload(): Promise<{ ok: true; revision: string; changed: boolean } | { ok: false; revision: string; error: Error }>;
}

/** Loads the bundle at `file` (rejecting as `loadBundle` does) and serves it until a reload. */
export async function openPolicyStore(file: string, options: LoadBundleOptions = {}): Promise<PolicyStore> {
  let bundle = await loadBundle(file, options);
  return {
    current: () => bundle,
    async reload() {
      try {
        const next = await loadBundle(file, options);
        const changed = next.revision !== bundle.revision;
        bundle = next;
        return { ok: true, revision: bundle.revision, changed };
      } catch (err) {
        return { ok: false, revision: bundle.revision, error: err as Error };
      }
    },
  };
}
