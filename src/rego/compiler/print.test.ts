import { ObjectValue, SetValue } from '../value/index.js';
import { formatForPrint, formatValue } from './print.js';

describe('print formatting', () => {
  it('prints a top-level string as it is and nested strings quoted', () => {
    expect(formatForPrint('hi\nthere')).toBe('hi\nthere');
    expect(formatForPrint(['hi'])).toBe('["hi"]');
  });

  it('prints sets and objects in Rego syntax with sorted members', () => {
    expect(formatValue(SetValue.from([2, 1]))).toBe('{1, 2}');
    expect(formatValue(new SetValue())).toBe('set()');
    expect(formatValue(ObjectValue.from([['b', 1], [1, null]]))).toBe('{1: null, "b": 1}');
  });
});
