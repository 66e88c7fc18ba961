import { ObjectValue, SetValue, fromJS, type Value } from '../value/index.js';
import {
  builtinError, ensureArray, ensureArrayOrSet, ensureBoolean, ensureCollection, ensureInteger, ensureNumber,
  ensureObject, ensureOneOf, ensureSafeInteger, ensureSet, ensureString, ensureStringCollection, numberResult, typeName,
} from './args.js';
import { BuiltinError } from './types.js';

const values = (...xs: unknown[]): Value[] => xs.map((x) => fromJS(x));

function refusal(guard: () => unknown): BuiltinError {
  try {
    guard();
  } catch (e) {
    if (e instanceof BuiltinError) return e;
    throw e;
  }
  throw new Error('the guard accepted its argument');
}

describe('typeName', () => {
  it.each<[unknown, string]>([
    [null, 'null'], [false, 'boolean'], [1.5, 'number'], [2n ** 64n, 'number'], ['', 'string'],
    [[], 'array'], [{}, 'object'], [new Set(), 'set'],
  ])('names %p as %p', (x, name) => {
    expect(typeName(fromJS(x))).toBe(name);
  });
});

describe('argument guards', () => {
  it('return the argument when its type fits', () => {
    const args = values('s', 2, true, [1], { a: 1 }, new Set([1]));
    expect(ensureString(args, 0, 'f')).toBe('s');
    expect(ensureNumber(args, 1, 'f')).toBe(2);
    expect(ensureInteger(args, 1, 'f')).toBe(2);
    expect(ensureSafeInteger(args, 1, 'f')).toBe(2);
    expect(ensureBoolean(args, 2, 'f')).toBe(true);
    expect(ensureArray(args, 3, 'f')).toEqual([1]);
    expect(ensureObject(args, 4, 'f')).toBeInstanceOf(ObjectValue);
    expect(ensureSet(args, 5, 'f')).toBeInstanceOf(SetValue);
    expect(ensureCollection(args, 4, 'f')).toBeInstanceOf(ObjectValue);
    expect(ensureArrayOrSet(args, 5, 'f')).toBeInstanceOf(SetValue);
    expect(ensureOneOf(args, 0, 'f', 'number', 'string')).toBe('s');
  });

  it('refuse a wrong type with OPA\'s wording and the operand\'s index', () => {
    const args = values('s', 2);
    expect(refusal(() => ensureString(args, 1, 'f'))).toMatchObject({ kind: 'type', argIndex: 1, message: 'operand 2 must be string but got number' });
    expect(refusal(() => ensureSet(args, 0, 'f')).message).toBe('operand 1 must be set but got string');
    expect(refusal(() => ensureCollection(args, 0, 'f')).message).toBe('operand 1 must be one of {array, object, set} but got string');
    expect(refusal(() => ensureOneOf(args, 1, 'f', 'array', 'string')).message).toBe('operand 2 must be one of {array, string} but got number');
  });

  it('tell integers from floats and from integers too big for a JS number', () => {
    expect(refusal(() => ensureInteger(values(1.5), 0, 'f')).message).toBe('operand 1 must be integer number but got floating-point number');
    expect(ensureInteger(values(2n ** 70n), 0, 'f')).toBe(2n ** 70n);
    expect(refusal(() => ensureSafeInteger(values(2n ** 70n), 0, 'f')).kind).toBe('type');
  });

  it('check every element of a string collection', () => {
    expect(ensureStringCollection(values(new Set(['b', 'a'])), 0, 'f').sort()).toEqual(['a', 'b']);
    expect(refusal(() => ensureStringCollection(values(['a', 1]), 0, 'f')).message).toBe('operand 1 must be array or set of strings but got number element');
  });

  it('report a missing argument instead of crashing', () => {
    expect(refusal(() => ensureString([], 0, 'f')).message).toBe('operand 1 is missing');
  });
});

describe('errors and results', () => {
  it('makes builtin errors without the builtin name, which the evaluator adds', () => {
    expect(builtinError('div', 'divide by zero')).toMatchObject({ kind: 'builtin', message: 'divide by zero' });
  });

  it('normalises numbers and refuses non-finite ones', () => {
    expect(numberResult('f', 2 ** 60)).toBe(2n ** 60n);
    expect(Object.is(numberResult('f', -0), 0)).toBe(true);
    expect(refusal(() => numberResult('f', Number.NaN)).kind).toBe('builtin');
  });
});
