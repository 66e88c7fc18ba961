/**
 * The one limiter of an evaluation: a step budget and a deadline. Counting a step is a
 * single increment; the clock and the budget are only consulted every CHECK_EVERY steps.
 */
import { RegoError } from './errors.js';

const CHECK_EVERY = 1024;

/** Options of a limiter; absent values mean "no limit". */
export interface LimitOptions {
  /** Most evaluation steps (rule evaluations, iterations, calls) one evaluation may take. */
  maxSteps?: number;
  /** Wall-clock budget of one evaluation, in milliseconds. */
  timeoutMs?: number;
}

/** Counts evaluation steps and raises `eval_cancel_error` when a limit is passed. */
export class Limiter {
  private steps = 0;
  private nextCheck: number;
  private readonly maxSteps: number;
  private readonly deadline: number;

  constructor(opts: LimitOptions = {}) {
    this.maxSteps = opts.maxSteps ?? Number.POSITIVE_INFINITY;
    this.deadline = opts.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.timeoutMs;
    this.nextCheck = Math.min(CHECK_EVERY, this.maxSteps + 1);
  }

  /** Counts one step. */
  step(): void {
    if (++this.steps >= this.nextCheck) this.check();
  }

  /** Steps taken so far. */
  get taken(): number {
    return this.steps;
  }

  private check(): void {
    this.nextCheck = Math.min(this.steps + CHECK_EVERY, this.maxSteps + 1);
    if (this.steps > this.maxSteps) {
      throw new RegoError('eval_cancel_error', `evaluation exceeded its budget of ${this.maxSteps} steps`);
    }
    if (this.deadline !== Number.POSITIVE_INFINITY && Date.now() > this.deadline) {
      throw new RegoError('eval_cancel_error', 'evaluation exceeded its time limit');
    }
  }
}
