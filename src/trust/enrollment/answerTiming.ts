/**
 * Decoys take as long as real answers. An unknown handle's enrollment does other work than a
 * real one (nothing to store, no policy to run), and an observer timing the answers could tell
 * them apart. So the real answers' durations are kept (the latest few, per kind of answer) and
 * a decoy waits until it has taken one of them, drawn at random: its time follows the
 * distribution of the real answers', under whatever load the service is. A decoy that cannot
 * stop early overshoots (its own work, a timer firing late), so the decoys' median is steered
 * onto the real answers' by a correction learnt as they go.
 */
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** The kinds of anonymous answer a decoy imitates. */
export type AnswerKind = 'enrollment_started' | 'credential_registered' | 'credential_code_refused';

/** Durations kept per kind. */
const KEPT = 64;
/** What a decoy waits for before any real answer of its kind was timed. */
const FIRST_GUESS_MS = 10;
/** How fast the correction follows the gap between the medians. */
const GAIN = 0.05;

interface Durations {
  real: number[];
  decoy: number[];
  /** Milliseconds taken off each drawn target. */
  correction: number;
}

const kinds = new Map<AnswerKind, Durations>();

function durationsOf(kind: AnswerKind): Durations {
  let d = kinds.get(kind);
  if (!d) kinds.set(kind, (d = { real: [], decoy: [], correction: 0 }));
  return d;
}

function keep(list: number[], ms: number): void {
  list.push(ms);
  if (list.length > KEPT) list.shift();
}

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** A point in time to measure from. */
export function answerClock(): number {
  return performance.now();
}

/** Records how long a real answer of `kind` took since `startedAt`. */
export function recordRealAnswer(kind: AnswerKind, startedAt: number): void {
  keep(durationsOf(kind).real, performance.now() - startedAt);
}

/** Waits until a decoy answer of `kind`, begun at `startedAt`, has taken as long as a real one would. */
export async function imitateRealAnswer(kind: AnswerKind, startedAt: number): Promise<void> {
  const d = durationsOf(kind);
  const target = (d.real.length > 0 ? d.real[randomInt(d.real.length)] : FIRST_GUESS_MS) - d.correction;
  const left = target - (performance.now() - startedAt);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  keep(d.decoy, performance.now() - startedAt);
  if (d.real.length > 0) d.correction += GAIN * (median(d.decoy) - median(d.real));
}
