import type { Value } from '../value/index.js';
import { timeBuiltins } from './time.js';
import { familyCaller } from './testkit.js';

const { call, errorOf, table } = familyCaller(timeBuiltins, { nowNs: 1_700_000_000_000_000_000n, checkArity: false });

const T = 1703444325734390000n; // 2023-12-24T18:58:45.73439Z, a Sunday
const T2 = 1257894000000000000n; // 2009-11-10T23:00:00Z, a Tuesday

describe('time.now_ns', () => {
  it('returns the evaluation clock, not the wall clock', () => {
    expect(call('time.now_ns')).toBe(1_700_000_000_000_000_000n);
    expect(table.get('time.now_ns')?.nondeterministic).toBe(true);
  });
});

describe('time.parse_rfc3339_ns', () => {
  it('parses fractions and offsets exactly', () => {
    expect(call('time.parse_rfc3339_ns', '1985-04-12T23:20:50.52Z')).toBe(482196050520000000n);
    expect(call('time.parse_rfc3339_ns', '1996-12-19T16:39:57-08:00')).toBe(851042397000000000n);
    expect(call('time.parse_rfc3339_ns', '1970-01-01T00:00:00Z')).toBe(0);
  });

  it('refuses malformed text and non-strings', () => {
    expect(errorOf('time.parse_rfc3339_ns', '2023-13-01T00:00:00Z').kind).toBe('builtin');
    expect(errorOf('time.parse_rfc3339_ns', '2023-02-30T00:00:00Z').kind).toBe('builtin');
    expect(errorOf('time.parse_rfc3339_ns', '2023-01-01T00:00:00Zjunk').kind).toBe('builtin');
    expect(errorOf('time.parse_rfc3339_ns', 482196050520000000n).kind).toBe('type');
  });

  it('refuses instants outside the int64 nanosecond range', () => {
    expect(errorOf('time.parse_rfc3339_ns', '3000-01-01T00:00:00Z').message).toMatch(/range/);
  });
});

describe('time.parse_ns', () => {
  it('parses Go layouts', () => {
    expect(call('time.parse_ns', '2006-01-02T15:04:05', '2016-05-10T19:06:42')).toBe(1462907202000000000n);
    expect(call('time.parse_ns', '2006-01-02 15:04:05', '2015-09-05 23:56:04')).toBe(1441497364000000000n);
    expect(call('time.parse_ns', '2006-01-02', '2020-02-29')).toBe(1582934400000000000n);
    expect(call('time.parse_ns', 'Jan 2 2006 3:04PM MST', 'Feb 3 2013 7:54PM PST')).toBe(1359921240000000000n);
    expect(call('time.parse_ns', '02/01/2006 15:04 -0700', '10/11/2009 23:00 +0100')).toBe(1257890400000000000n);
  });

  it('reads fractions whether or not the layout has them', () => {
    expect(call('time.parse_ns', '2006-01-02T15:04:05.999999999', '2023-12-24T18:58:45.73439')).toBe(T);
    expect(call('time.parse_ns', '2006-01-02T15:04:05', '2023-12-24T18:58:45.73439')).toBe(T);
    expect(call('time.parse_ns', '2006-01-02T15:04:05.000', '2023-12-24T18:58:45.734')).toBe(1703444325734000000n);
    expect(call('time.parse_ns', '2006-01-02T15:04:05.999', '2023-12-24T18:58:45.7343900009')).toBe(T);
    expect(call('time.parse_rfc3339_ns', '2023-12-24T18:58:45.7343900009Z')).toBe(T);
  });

  it('accepts Go layout names', () => {
    expect(call('time.parse_ns', 'RFC822Z', '24 Dec 23 18:58 +0000')).toBe(1703444280000000000n);
  });

  it('refuses text that does not fit the layout', () => {
    expect(errorOf('time.parse_ns', '2006-01-02', '2020-2-29').kind).toBe('builtin');
    expect(errorOf('time.parse_ns', '2006-01-02', 1).kind).toBe('type');
  });
});

describe('time.parse_duration_ns', () => {
  it('parses Go durations exactly', () => {
    expect(call('time.parse_duration_ns', '1h')).toBe(3600000000000);
    expect(call('time.parse_duration_ns', '1h6m13.3s20ms15µs1ns')).toBe(3973320015001);
    expect(call('time.parse_duration_ns', '1.2h20.2ms15µs56ns')).toBe(4320020215056);
    expect(call('time.parse_duration_ns', '45.67s123ms')).toBe(45793000000);
    expect(call('time.parse_duration_ns', '15.000001ms')).toBe(15000001);
    expect(call('time.parse_duration_ns', '-2us')).toBe(-2000);
    expect(call('time.parse_duration_ns', '300ms')).toBe(300000000);
    expect(call('time.parse_duration_ns', '0')).toBe(0);
    expect(call('time.parse_duration_ns', '1.' + '5'.repeat(400) + 's')).toBe(1555555555);
  });

  it('refuses malformed durations', () => {
    for (const bad of ['', '1', '1x', 'h', '.s', '3000000h']) expect(errorOf('time.parse_duration_ns', bad).kind).toBe('builtin');
    expect(errorOf('time.parse_duration_ns', 100).kind).toBe('type');
  });
});

describe('calendar fields', () => {
  it('gives date, clock and weekday in UTC by default', () => {
    expect(call('time.date', T)).toEqual([2023, 12, 24]);
    expect(call('time.clock', T)).toEqual([18, 58, 45]);
    expect(call('time.weekday', T)).toBe('Sunday');
    expect(call('time.weekday', T2)).toBe('Tuesday');
    expect(call('time.date', [1703896119423491000n, ''])).toEqual([2023, 12, 30]);
  });

  it('applies IANA zone offsets, including daylight saving', () => {
    expect(call('time.clock', [T, 'CET'])).toEqual([19, 58, 45]);
    expect(call('time.clock', [T, 'America/New_York'])).toEqual([13, 58, 45]);
    expect(call('time.clock', [1719248325000000000n, 'America/New_York'])).toEqual([12, 58, 45]); // June: EDT
    expect(call('time.clock', [T, 'Local'])).toEqual([18, 58, 45]);
  });

  it('handles instants before the epoch', () => {
    expect(call('time.date', -1)).toEqual([1969, 12, 31]);
    expect(call('time.clock', -1)).toEqual([23, 59, 59]);
  });

  it('refuses bad arguments', () => {
    expect(errorOf('time.date', '1703444325734390000').kind).toBe('type');
    expect(errorOf('time.clock', [T, 'Nowhere/Special']).kind).toBe('builtin');
    expect(errorOf('time.clock', [T, 1]).kind).toBe('type');
    expect(errorOf('time.clock', []).kind).toBe('type');
    expect(errorOf('time.clock', 1.5).kind).toBe('builtin');
    expect(errorOf('time.clock', 2n ** 63n).kind).toBe('builtin');
  });

  it('accepts a one-element array as UTC', () => {
    expect(call('time.date', [T])).toEqual([2023, 12, 24]);
  });
});

describe('time.add_date', () => {
  it('adds years, months and days with Go normalisation', () => {
    expect(call('time.add_date', T, 0, 0, 0)).toBe(T);
    expect(call('time.add_date', T, 1, 0, 0)).toBe(1735066725734390000n);
    expect(call('time.add_date', T, -60, 0, 0)).toBe(-190011674265610000n);
    expect(call('time.add_date', T, 0, 15, 0)).toBe(1742842725734390000n);
    expect(call('time.add_date', T, 0, -19, 0)).toBe(1653418725734390000n);
    expect(call('time.add_date', T, 0, 0, 37)).toBe(1706641125734390000n);
    expect(call('time.add_date', T, 10, 14, -75)).toBe(2049476325734390000n);
    expect(call('time.add_date', T, -10, -14, -75)).toBe(1344625125734390000n);
  });

  it('is undefined beyond the int64 nanosecond range', () => {
    expect(call('time.add_date', T, 2147483647, 0, 0)).toBeUndefined();
    expect(call('time.add_date', T, -2147483647, 0, 0)).toBeUndefined();
  });
});

describe('time.diff', () => {
  it('gives calendar differences regardless of argument order', () => {
    const want = [14, 1, 13, 19, 58, 45];
    expect(call('time.diff', T, T2)).toEqual(want);
    expect(call('time.diff', T2, T)).toEqual(want);
    expect(call('time.diff', [T, 'UTC'], [T2, ''])).toEqual(want);
  });

  it('borrows the days of the earlier month', () => {
    const feb2 = call('time.parse_ns', '2006-01-02', '2020-02-02') as Value;
    const mar1 = call('time.parse_ns', '2006-01-02', '2020-03-01') as Value;
    expect(call('time.diff', feb2, mar1)).toEqual([0, 0, 28, 0, 0, 0]);
  });
});

describe('time.format', () => {
  it('defaults to RFC3339 with trimmed nanoseconds', () => {
    expect(call('time.format', T)).toBe('2023-12-24T18:58:45.73439Z');
    expect(call('time.format', T2)).toBe('2009-11-10T23:00:00Z');
  });

  it('formats with a zone and a layout', () => {
    expect(call('time.format', [T, 'UTC', '2006-01-02T15:04:05'])).toBe('2023-12-24T18:58:45');
    expect(call('time.format', [T2, '', '02/01/2006 15:04'])).toBe('10/11/2009 23:00');
    expect(call('time.format', [T, 'America/New_York', 'Mon Jan _2 3:04:05.000 PM -07:00 MST'])).toBe('Sun Dec 24 1:58:45.734 PM -05:00 EST');
    expect(call('time.format', [T, 'CET'])).toBe('2023-12-24T19:58:45.73439+01:00');
    expect(call('time.format', [T, 'UTC', 'RFC1123'])).toBe('Sun, 24 Dec 2023 18:58:45 UTC');
    expect(call('time.format', [T, 'UTC', 'Kitchen'])).toBe('Kitchen'); // only OPA's named layouts are names
    expect(call('time.format', [T, 'UTC', ''])).toBe('2023-12-24T18:58:45.73439Z');
  });

  it('matches OPA on a half-hour zone with layouts and layout names', () => {
    const ns = 1670006453141828752n;
    expect(call('time.format', ns)).toBe('2022-12-02T18:40:53.141828752Z');
    expect(call('time.format', [ns, 'Asia/Kolkata'])).toBe('2022-12-03T00:10:53.141828752+05:30');
    expect(call('time.format', [ns, 'Asia/Kolkata', 'Mon Jan 02 15:04:05 -0700 2006'])).toBe('Sat Dec 03 00:10:53 +0530 2022');
    expect(call('time.format', [ns, 'Asia/Kolkata', 'RFC1123Z'])).toBe('Sat, 03 Dec 2022 00:10:53 +0530');
  });

  it('round-trips through parse_ns', () => {
    const text = call('time.format', [T, 'UTC', '2006-01-02T15:04:05.999999999']) as string;
    expect(call('time.parse_ns', '2006-01-02T15:04:05.999999999', text)).toBe(T);
  });

  it('refuses a non-string layout', () => {
    expect(errorOf('time.format', [T, 'UTC', 42]).kind).toBe('type');
  });
});
