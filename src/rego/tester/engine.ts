/**
 * What the policy test runner needs of an engine, so that its logic can be driven by the
 * real `RegoEngine` or, in tests, by a stand-in.
 */
import type { Module } from '../ast/nodes.js';
import { RegoEngine } from '../engine.js';

/** One row of a result set, as plain JSON. */
export interface JsonRow {
  expressions: unknown[];
  bindings: Record<string, unknown>;
}

/** The part of `RegoEngine` the runner drives. */
export interface PolicyEngine {
  addModule(path: string, source: string): void;
  setData(data: unknown): void;
  modules(): ReadonlyArray<Module>;
  prepare(query: string): { eval(input?: unknown): JsonRow[] };
}

/** Engine options the runner passes on. */
export interface PolicyEngineOptions {
  strict?: boolean;
  regoVersion?: 'v0' | 'v1';
  print?: (message: string) => void;
  timeoutMs?: number;
}

/** Makes an engine. */
export type PolicyEngineFactory = (options: PolicyEngineOptions) => PolicyEngine;

/** The real engine. */
export const createRegoEngine: PolicyEngineFactory = (options) => new RegoEngine(options);
