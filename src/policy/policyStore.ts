/**
 * Holds the bundle being served and swaps it on reload. A reload that fails keeps the
 * current revision: a broken edit never takes the service's policy away.
 */
import { loadBundle, type PolicyBundle } from './bundle.js';

export interface PolicyStore {
  current(): PolicyBundle;
  /** Loads the folder again; on failure keeps the old bundle and returns the error. */
  reload(): { ok: true; revision: string; changed: boolean } | { ok: false; revision: string; error: Error };
}

export function createPolicyStore(dir: string, load: (dir: string) => PolicyBundle = loadBundle): PolicyStore {
  let bundle = load(dir);
  return {
    current: () => bundle,
    reload() {
      try {
        const next = load(dir);
        const changed = next.revision !== bundle.revision;
        bundle = next;
        return { ok: true, revision: bundle.revision, changed };
      } catch (err) {
        return { ok: false, revision: bundle.revision, error: err as Error };
      }
    },
  };
}
