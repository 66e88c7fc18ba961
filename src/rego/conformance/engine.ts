/**
 * What the conformance harness needs of an engine. The harness is written against this
 * shape so that its own logic can be tested with a stand-in engine.
 */
import { RegoEngine } from '../engine.js';
import type { Value } from '../value/index.js';

/** One row of a query's result set, with raw Rego values (sets stay sets). */
export interface ValueRow {
  expressions: Value[];
  bindings: Map<string, Value>;
}

/** A query compiled once, evaluated per input. */
export interface PreparedValueQuery {
  evalValues(input?: unknown): ValueRow[];
}

/** The part of `RegoEngine` the harness drives. */
export interface ConformanceEngine {
  addModule(path: string, source: string): void;
  setData(data: unknown): void;
  prepare(query: string): PreparedValueQuery;
}

/** Options a case asks its engine for. */
export interface CaseEngineOptions {
  /** Strict builtin errors (the case's `strict`, default true). */
  strict: boolean;
  /** `v0` is OPA's v0-compatible mode: a module importing `rego.v1` is parsed as v1. */
  regoVersion: 'v0' | 'v1';
  /** Receives `print` output. */
  print: (message: string) => void;
  /** Evaluation deadline, so one runaway case cannot stall the run. */
  timeoutMs?: number;
}

/** Makes a fresh engine for one case. */
export type EngineFactory = (options: CaseEngineOptions) => ConformanceEngine;

/** The real engine. */
export const createRegoEngine: EngineFactory = (options) => new RegoEngine(options);
