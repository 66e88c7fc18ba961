import { RegoEngine } from './engine.js';
import { RegoError } from './errors.js';
import { Limiter } from './limits.js';

describe('Limiter', () => {
  it('raises eval_cancel_error once the step budget is spent', () => {
    const l = new Limiter({ maxSteps: 10 });
    for (let i = 0; i < 10; i++) l.step();
    expect(() => l.step()).toThrow(expect.objectContaining({ code: 'eval_cancel_error' }));
  });

  it('counts without limits when none are given', () => {
    const l = new Limiter();
    for (let i = 0; i < 5000; i++) l.step();
    expect(l.taken).toBe(5000);
  });
});

describe('evaluation limits', () => {
  const heavy = 'package p\nn := count([1 | some a in numbers.range(1, 300); some b in numbers.range(1, 300)])';

  it('cancels an evaluation that exceeds maxSteps', () => {
    const e = new RegoEngine({ maxSteps: 1000 });
    e.addModule('p.rego', heavy);
    expect(() => e.prepare('data.p.n').eval()).toThrow(expect.objectContaining({ code: 'eval_cancel_error' }));
  });

  it('cancels an evaluation that passes its deadline', () => {
    const e = new RegoEngine();
    e.addModule('p.rego', 'package p\nn := count([1 | some a in numbers.range(1, 3000); some b in numbers.range(1, 3000)])');
    expect(() => e.prepare('data.p.n').eval(undefined, { timeoutMs: 5 })).toThrow(expect.objectContaining({ code: 'eval_cancel_error' }));
  });

  it('finishes an evaluation within its budget', () => {
    const e = new RegoEngine({ maxSteps: 1_000_000 });
    e.addModule('p.rego', heavy);
    expect(e.prepare('data.p.n').eval()[0].expressions[0]).toBe(90000);
  });

  it('turns very deep input into a RegoError instead of crashing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 9000; i++) deep = [deep];
    const e = new RegoEngine();
    e.addModule('p.rego', 'package p\nsame if input == [input][0]\ns := {input}');
    const q = e.prepare('data.p.s');
    let outcome: unknown;
    try {
      outcome = q.eval(deep);
    } catch (err) {
      outcome = err;
    }
    expect(Array.isArray(outcome) || outcome instanceof RegoError).toBe(true);
  });
});
