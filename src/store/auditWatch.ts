/**
 * Which refusals a unit of work (one HTTP request) has recorded: the request layer audits a
 * refusal itself only when nothing under it already did, so every refusal leaves exactly one
 * record without each route having to say so.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What one watched unit of work appended. */
export interface AuditWatch {
  /** Refused records appended (committed or not). */
  refusals: number;
}

const watches = new AsyncLocalStorage<AuditWatch>();

/** Runs `work` watched: refused records appended under it are counted in the returned watch. */
export function watchAudit<T>(work: (watch: AuditWatch) => T): T {
  const watch: AuditWatch = { refusals: 0 };
  return watches.run(watch, () => work(watch));
}

/** Called by appendAudit for every record. */
export function noteAudited(outcome: 'success' | 'refused'): void {
  const watch = watches.getStore();
  if (watch && outcome === 'refused') watch.refusals++;
}
