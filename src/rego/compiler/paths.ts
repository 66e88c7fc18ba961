/**
 * Compiles the path of a ref (`head[a][b]…`) applied to an already compiled head. Ground
 * elements are lookups; an element with unbound variables iterates the collection and
 * unifies each key with it, binding the variables (`xs[i]`, `m[k].v`, `s[_]`).
 */
import type { Term } from '../ast/nodes.js';
import type { ObjectValue} from '../value/index.js';
import { SetValue, type Value } from '../value/index.js';
import type { Ctx, Eval, Frame, K, VK } from './context.js';
import { compilePattern, compileTerm, evalTerm, isGround, literalValue, type CTerm } from './terms.js';
import type { Scope } from './scope.js';
import { indexValue } from './values.js';

type Step = { kind: 'key'; key: Eval } | { kind: 'iter'; pattern: (next: K) => VK; temp: number; keyTemp: number };

/** Applies `path` to the values of `head`. */
export function compilePath(head: CTerm, path: Term[], s: Scope): CTerm {
  if (path.length === 0) return head;
  const steps: Step[] = path.map((p) => compileStep(p, s));
  if (head.eval && steps.every((st) => st.kind === 'key')) {
    const h = head.eval;
    const constants = path.map(literalValue);
    if (constants.every((k) => k !== undefined)) {
      // The common `input.a.b` shape: constant keys, no closure call per step.
      const ks = constants as Value[];
      return evalTerm((f, c) => {
        let v = h(f, c);
        for (let i = 0; i < ks.length && v !== undefined; i++) v = indexValue(v, ks[i]);
        return v;
      });
    }
    const keys = steps.map((st) => (st as { key: Eval }).key);
    return evalTerm((f, c) => {
      let v = h(f, c);
      for (let i = 0; i < keys.length && v !== undefined; i++) {
        const k = keys[i](f, c);
        if (k === undefined) return undefined;
        v = indexValue(v, k);
      }
      return v;
    });
  }
  return {
    eval: null,
    gen(next: VK): K {
      let vk: VK = next;
      for (let i = steps.length - 1; i >= 0; i--) vk = stepGen(steps[i], vk);
      return head.gen(vk);
    },
  };
}

function compileStep(p: Term, s: Scope): Step {
  if (isGround(p, s)) {
    const ct = compileTerm(p, s);
    if (ct.eval) return { kind: 'key', key: ct.eval };
  }
  const temp = s.layout.temp();
  return { kind: 'iter', pattern: compilePattern(p, s), temp, keyTemp: s.layout.temp() };
}

function stepGen(st: Step, next: VK): VK {
  if (st.kind === 'key') {
    const key = st.key;
    return (f, c, v) => {
      const k = key(f, c);
      if (k === undefined) return false;
      const x = indexValue(v, k);
      return x !== undefined && next(f, c, x);
    };
  }
  const t = st.temp;
  const afterKey: K = (f, c) => next(f, c, f[t] as Value);
  const onKey = st.pattern(afterKey);
  return (f, c, v) => forEachElement(v, f, c, t, onKey);
}

/**
 * Calls `onKey(key)` for each element of `coll` with the element's value in `f[t]`,
 * until it returns true. Counts one limiter step per element.
 */
export function forEachElement(coll: Value, f: Frame, c: Ctx, t: number, onKey: VK): boolean {
  if (coll === null || typeof coll !== 'object') return false;
  const limiter = c.shared.limiter;
  if (Array.isArray(coll)) {
    for (let i = 0; i < coll.length; i++) {
      limiter.step();
      f[t] = coll[i];
      if (onKey(f, c, i)) return true;
    }
    return false;
  }
  if (coll instanceof SetValue) {
    for (const m of coll.values()) {
      limiter.step();
      f[t] = m;
      if (onKey(f, c, m)) return true;
    }
    return false;
  }
  const o = coll as ObjectValue;
  for (const k of o.keys()) {
    limiter.step();
    f[t] = o.get(k) as Value;
    if (onKey(f, c, k)) return true;
  }
  return false;
}
