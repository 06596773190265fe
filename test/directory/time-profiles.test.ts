import { describe, it, expect } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import {
  isActiveAt,
  isValidTimeRules,
  TimeProfileRulesSchema,
  TimeProfileWriteSchema,
  validateTimeRules,
  type CustomRepeatOptions,
  type RepeatFormat,
  type TimeProfileRules,
} from '../../src/directory/time-profiles.ts';

const u = (iso: string): number => Date.parse(iso) / 1000;
const at = (iso: string): Date => new Date(iso);

const P = 'repeat_options.repeat_format';
const C = `${P}.repeat_custom`;
const O = `${C}.repeat_options`;

function rules(
  from: string,
  to: string,
  repeat?: RepeatFormat | null,
  opts: { allDay?: boolean } = {},
): TimeProfileRules {
  return {
    time_options: { is_all_day: opts.allDay ?? false, date_from: u(from), date_to: u(to) },
    repeat_options: repeat ? { repeat_enable: true, repeat_format: repeat } : { repeat_enable: false },
  };
}

function custom(
  repeat_point_type: 'day' | 'week' | 'month' | 'year',
  repeat_looper: number,
  repeat_options?: CustomRepeatOptions,
  end?: string,
): RepeatFormat {
  return {
    repeat_type: 'custom',
    repeat_end: end ? { format: 'date', date: u(end) } : { format: 'never' },
    repeat_custom: { repeat_point_type, repeat_looper, ...(repeat_options ? { repeat_options } : {}) },
  };
}

/** Expect `active` for every instant in `yes` and inactive for every one in `no`. */
function expectActivity(r: TimeProfileRules, yes: string[], no: string[], zone = 'UTC'): void {
  for (const iso of yes) expect({ iso, active: isActiveAt(r, at(iso), zone) }).toEqual({ iso, active: true });
  for (const iso of no) expect({ iso, active: isActiveAt(r, at(iso), zone) }).toEqual({ iso, active: false });
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/** A fully populated valid rule set: custom, every 2 weeks on MON and WED, ending on a date. */
function validBody(): Record<string, any> {
  return {
    name: 'Office hours',
    link_id: '0b8f6a8e-5a4c-4b7e-9a51-1f1b6c3d2e4f',
    time_options: { is_all_day: false, date_from: 1709283600, date_to: 1709312400 },
    repeat_options: {
      repeat_enable: true,
      repeat_format: {
        repeat_type: 'custom',
        repeat_end: { format: 'date', date: 1740000000 },
        repeat_custom: { repeat_point_type: 'week', repeat_looper: 2, repeat_options: ['MON', 'WED'] },
      },
    },
  };
}

function mutate(change: (b: Record<string, any>) => void): Record<string, any> {
  const b = validBody();
  change(b);
  return b;
}

describe('validateTimeRules', () => {
  it('accepts a complete valid body and minimal rule sets', () => {
    expect(validateTimeRules(validBody())).toBeNull();
    expect(isValidTimeRules(validBody())).toBe(true);
    expect(
      validateTimeRules({ time_options: { is_all_day: true, date_from: 0, date_to: 0 }, repeat_options: { repeat_enable: false } }),
    ).toBeNull();
    expect(
      validateTimeRules({
        time_options: { is_all_day: false, date_from: 10, date_to: 20 },
        repeat_options: { repeat_enable: true, repeat_format: { repeat_type: 'day' } },
      }),
    ).toBeNull();
    // null for optional blocks is the same as absent
    expect(
      validateTimeRules({
        time_options: { is_all_day: false, date_from: 10, date_to: 20 },
        repeat_options: {
          repeat_enable: true,
          repeat_format: { repeat_type: 'twoWeeks', repeat_end: null, repeat_custom: null },
        },
      }),
    ).toBeNull();
    expect(
      validateTimeRules({ time_options: { is_all_day: false, date_from: 10, date_to: 20 }, repeat_options: { repeat_enable: false, repeat_format: null } }),
    ).toBeNull();
  });

  it('refuses a non-object input', () => {
    expect(validateTimeRules(null)).toEqual({ path: '', problem: 'type' });
    expect(validateTimeRules([1])).toEqual({ path: '', problem: 'type' });
  });

  it('checks time_options', () => {
    expect(validateTimeRules(mutate((b) => delete b.time_options))).toEqual({ path: 'time_options', problem: 'missing' });
    expect(validateTimeRules(mutate((b) => (b.time_options = 'x')))).toEqual({ path: 'time_options', problem: 'type' });
    expect(validateTimeRules(mutate((b) => (b.time_options.is_all_day = null)))).toEqual({
      path: 'time_options.is_all_day',
      problem: 'missing',
    });
    expect(validateTimeRules(mutate((b) => (b.time_options.is_all_day = 'true')))).toEqual({
      path: 'time_options.is_all_day',
      problem: 'type',
    });
    expect(validateTimeRules(mutate((b) => delete b.time_options.date_from))).toEqual({
      path: 'time_options.date_from',
      problem: 'missing',
    });
    expect(validateTimeRules(mutate((b) => (b.time_options.date_from = '1709283600')))).toEqual({
      path: 'time_options.date_from',
      problem: 'type',
    });
    expect(validateTimeRules(mutate((b) => (b.time_options.date_from = -1)))).toEqual({
      path: 'time_options.date_from',
      problem: 'range',
    });
    expect(validateTimeRules(mutate((b) => (b.time_options.date_to = 1709312400.5)))).toEqual({
      path: 'time_options.date_to',
      problem: 'range',
    });
    expect(validateTimeRules(mutate((b) => (b.time_options.date_to = 253402300800)))).toEqual({
      path: 'time_options.date_to',
      problem: 'range',
    });
  });

  it('requires date_from ≤ date_to (equal is fine)', () => {
    expect(validateTimeRules(mutate((b) => (b.time_options.date_to = b.time_options.date_from - 1)))).toEqual({
      path: 'time_options.date_to',
      problem: 'range',
    });
    expect(validateTimeRules(mutate((b) => (b.time_options.date_to = b.time_options.date_from)))).toBeNull();
  });

  it('checks repeat_options and repeat_format', () => {
    expect(validateTimeRules(mutate((b) => delete b.repeat_options))).toEqual({ path: 'repeat_options', problem: 'missing' });
    expect(validateTimeRules(mutate((b) => (b.repeat_options = [])))).toEqual({ path: 'repeat_options', problem: 'type' });
    expect(validateTimeRules(mutate((b) => delete b.repeat_options.repeat_enable))).toEqual({
      path: 'repeat_options.repeat_enable',
      problem: 'missing',
    });
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_enable = 1)))).toEqual({
      path: 'repeat_options.repeat_enable',
      problem: 'type',
    });
    expect(validateTimeRules(mutate((b) => delete b.repeat_options.repeat_format))).toEqual({ path: P, problem: 'missing' });
    expect(
      validateTimeRules(
        mutate((b) => {
          b.repeat_options.repeat_enable = false;
          delete b.repeat_options.repeat_format;
        }),
      ),
    ).toBeNull();
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_format = 'week')))).toEqual({ path: P, problem: 'type' });
    expect(validateTimeRules(mutate((b) => delete b.repeat_options.repeat_format.repeat_type))).toEqual({
      path: `${P}.repeat_type`,
      problem: 'missing',
    });
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_type = 'hourly')))).toEqual({
      path: `${P}.repeat_type`,
      problem: 'range',
    });
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_type = 7)))).toEqual({
      path: `${P}.repeat_type`,
      problem: 'type',
    });
  });

  it('checks a present repeat_format even when repeat is disabled', () => {
    expect(
      validateTimeRules(
        mutate((b) => {
          b.repeat_options.repeat_enable = false;
          b.repeat_options.repeat_format.repeat_type = 'fortnight';
        }),
      ),
    ).toEqual({ path: `${P}.repeat_type`, problem: 'range' });
  });

  it('checks repeat_end', () => {
    const E = `${P}.repeat_end`;
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_end = 5)))).toEqual({ path: E, problem: 'type' });
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_end = {})))).toEqual({
      path: `${E}.format`,
      problem: 'missing',
    });
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_end = { format: 'sometimes' })))).toEqual({
      path: `${E}.format`,
      problem: 'range',
    });
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_end = { format: 'date' })))).toEqual({
      path: `${E}.date`,
      problem: 'missing',
    });
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_end = { format: 'date', date: null })))).toEqual({
      path: `${E}.date`,
      problem: 'missing',
    });
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_end.date = '2025-01-01')))).toEqual({
      path: `${E}.date`,
      problem: 'type',
    });
    expect(
      validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_end.date = b.time_options.date_from - 1))),
    ).toEqual({ path: `${E}.date`, problem: 'range' });
    // equal to date_from is allowed: only the first occurrence
    expect(
      validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_end.date = b.time_options.date_from))),
    ).toBeNull();
    // format never: no date needed, an earlier date is irrelevant
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_end = { format: 'never' })))).toBeNull();
    expect(
      validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_end = { format: 'never', date: 5 }))),
    ).toBeNull();
    expect(validateTimeRules(mutate((b) => delete b.repeat_options.repeat_format.repeat_end))).toBeNull();
  });

  it('requires repeat_custom for custom only', () => {
    expect(validateTimeRules(mutate((b) => delete b.repeat_options.repeat_format.repeat_custom))).toEqual({
      path: C,
      problem: 'missing',
    });
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_custom = null)))).toEqual({
      path: C,
      problem: 'missing',
    });
    expect(validateTimeRules(mutate((b) => (b.repeat_options.repeat_format.repeat_custom = ['MON'])))).toEqual({
      path: C,
      problem: 'type',
    });
    expect(
      validateTimeRules(
        mutate((b) => {
          b.repeat_options.repeat_format.repeat_type = 'week';
          delete b.repeat_options.repeat_format.repeat_custom;
        }),
      ),
    ).toBeNull();
  });

  it('checks repeat_point_type and repeat_looper', () => {
    const set = (k: string, v: unknown) => mutate((b) => (b.repeat_options.repeat_format.repeat_custom[k] = v));
    expect(validateTimeRules(set('repeat_point_type', undefined))).toEqual({ path: `${C}.repeat_point_type`, problem: 'missing' });
    expect(validateTimeRules(set('repeat_point_type', 'hour'))).toEqual({ path: `${C}.repeat_point_type`, problem: 'range' });
    expect(validateTimeRules(set('repeat_looper', undefined))).toEqual({ path: `${C}.repeat_looper`, problem: 'missing' });
    expect(validateTimeRules(set('repeat_looper', '2'))).toEqual({ path: `${C}.repeat_looper`, problem: 'type' });
    expect(validateTimeRules(set('repeat_looper', 0))).toEqual({ path: `${C}.repeat_looper`, problem: 'range' });
    expect(validateTimeRules(set('repeat_looper', 1001))).toEqual({ path: `${C}.repeat_looper`, problem: 'range' });
    expect(validateTimeRules(set('repeat_looper', 1.5))).toEqual({ path: `${C}.repeat_looper`, problem: 'range' });
    expect(validateTimeRules(set('repeat_looper', 1))).toBeNull();
    expect(validateTimeRules(set('repeat_looper', 1000))).toBeNull();
  });

  const withOptions = (pointType: string, options: unknown) =>
    mutate((b) => {
      b.repeat_options.repeat_format.repeat_custom.repeat_point_type = pointType;
      if (options === undefined) delete b.repeat_options.repeat_format.repeat_custom.repeat_options;
      else b.repeat_options.repeat_format.repeat_custom.repeat_options = options;
    });

  it('checks weekdays for week', () => {
    expect(validateTimeRules(withOptions('week', ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']))).toBeNull();
    expect(validateTimeRules(withOptions('week', undefined))).toEqual({ path: O, problem: 'missing' });
    expect(validateTimeRules(withOptions('week', { format: 'dayNumbers', range: [1] }))).toEqual({ path: O, problem: 'type' });
    expect(validateTimeRules(withOptions('week', []))).toEqual({ path: O, problem: 'range' });
    expect(validateTimeRules(withOptions('week', ['MON', 'mon']))).toEqual({ path: `${O}[1]`, problem: 'range' });
    expect(validateTimeRules(withOptions('week', ['MON', 'MONDAY']))).toEqual({ path: `${O}[1]`, problem: 'range' });
    expect(validateTimeRules(withOptions('week', ['MON', 1]))).toEqual({ path: `${O}[1]`, problem: 'type' });
    expect(validateTimeRules(withOptions('week', ['MON', 'FRI', 'MON']))).toEqual({ path: `${O}[2]`, problem: 'range' });
  });

  it('checks dayNumbers and parameterizedDay for month', () => {
    expect(validateTimeRules(withOptions('month', { format: 'dayNumbers', range: [1, 15, 31] }))).toBeNull();
    expect(
      validateTimeRules(
        withOptions('month', {
          format: 'parameterizedDay',
          range: [
            { week: 'first', day: 'MON' },
            { week: 'last', day: 'MON' },
          ],
        }),
      ),
    ).toBeNull();
    expect(validateTimeRules(withOptions('month', undefined))).toEqual({ path: O, problem: 'missing' });
    expect(validateTimeRules(withOptions('month', ['MON']))).toEqual({ path: O, problem: 'type' });
    expect(validateTimeRules(withOptions('month', { range: [1] }))).toEqual({ path: `${O}.format`, problem: 'missing' });
    expect(validateTimeRules(withOptions('month', { format: 'weekNumbers', range: [1] }))).toEqual({
      path: `${O}.format`,
      problem: 'range',
    });
    expect(validateTimeRules(withOptions('month', { format: 'dayNumbers' }))).toEqual({ path: `${O}.range`, problem: 'missing' });
    expect(validateTimeRules(withOptions('month', { format: 'dayNumbers', range: 5 }))).toEqual({ path: `${O}.range`, problem: 'type' });
    expect(validateTimeRules(withOptions('month', { format: 'dayNumbers', range: [] }))).toEqual({ path: `${O}.range`, problem: 'range' });
    expect(validateTimeRules(withOptions('month', { format: 'dayNumbers', range: [0] }))).toEqual({
      path: `${O}.range[0]`,
      problem: 'range',
    });
    expect(validateTimeRules(withOptions('month', { format: 'dayNumbers', range: [1, 32] }))).toEqual({
      path: `${O}.range[1]`,
      problem: 'range',
    });
    expect(validateTimeRules(withOptions('month', { format: 'dayNumbers', range: [3, 3] }))).toEqual({
      path: `${O}.range[1]`,
      problem: 'range',
    });
    expect(validateTimeRules(withOptions('month', { format: 'dayNumbers', range: ['1'] }))).toEqual({
      path: `${O}.range[0]`,
      problem: 'type',
    });
    // parameterized days are objects, not day numbers
    expect(validateTimeRules(withOptions('month', { format: 'parameterizedDay', range: [1] }))).toEqual({
      path: `${O}.range[0]`,
      problem: 'type',
    });
    expect(validateTimeRules(withOptions('month', { format: 'parameterizedDay', range: [{ day: 'MON' }] }))).toEqual({
      path: `${O}.range[0].week`,
      problem: 'missing',
    });
    expect(
      validateTimeRules(withOptions('month', { format: 'parameterizedDay', range: [{ week: 'fifth', day: 'MON' }] })),
    ).toEqual({ path: `${O}.range[0].week`, problem: 'range' });
    expect(
      validateTimeRules(withOptions('month', { format: 'parameterizedDay', range: [{ week: 'first', day: 'Funday' }] })),
    ).toEqual({ path: `${O}.range[0].day`, problem: 'range' });
    expect(
      validateTimeRules(
        withOptions('month', {
          format: 'parameterizedDay',
          range: [
            { week: 'last', day: 'FRI' },
            { week: 'last', day: 'FRI' },
          ],
        }),
      ),
    ).toEqual({ path: `${O}.range[1]`, problem: 'range' });
  });

  it('checks months and range for year', () => {
    expect(validateTimeRules(withOptions('year', { months: [1, 12], range: [1, 31] }))).toBeNull();
    expect(validateTimeRules(withOptions('year', { months: [2], range: [29] }))).toBeNull();
    expect(validateTimeRules(withOptions('year', undefined))).toEqual({ path: O, problem: 'missing' });
    expect(validateTimeRules(withOptions('year', ['JAN']))).toEqual({ path: O, problem: 'type' });
    expect(validateTimeRules(withOptions('year', { range: [1] }))).toEqual({ path: `${O}.months`, problem: 'missing' });
    expect(validateTimeRules(withOptions('year', { months: [], range: [1] }))).toEqual({ path: `${O}.months`, problem: 'range' });
    expect(validateTimeRules(withOptions('year', { months: [0], range: [1] }))).toEqual({ path: `${O}.months[0]`, problem: 'range' });
    expect(validateTimeRules(withOptions('year', { months: [13], range: [1] }))).toEqual({ path: `${O}.months[0]`, problem: 'range' });
    expect(validateTimeRules(withOptions('year', { months: [5, 5], range: [1] }))).toEqual({ path: `${O}.months[1]`, problem: 'range' });
    expect(validateTimeRules(withOptions('year', { months: [5] }))).toEqual({ path: `${O}.range`, problem: 'missing' });
    expect(validateTimeRules(withOptions('year', { months: [5], range: [32] }))).toEqual({ path: `${O}.range[0]`, problem: 'range' });
    // no such day in any year
    expect(validateTimeRules(withOptions('year', { months: [2], range: [30, 31] }))).toEqual({ path: `${O}.range`, problem: 'range' });
    expect(validateTimeRules(withOptions('year', { months: [4, 6], range: [31] }))).toEqual({ path: `${O}.range`, problem: 'range' });
    expect(validateTimeRules(withOptions('year', { months: [4, 5], range: [31] }))).toBeNull();
  });

  it('does not need repeat_options for custom day', () => {
    expect(validateTimeRules(withOptions('day', undefined))).toBeNull();
    expect(validateTimeRules(withOptions('day', null))).toBeNull();
    expect(validateTimeRules(withOptions('day', ['MON']))).toBeNull();
    expect(validateTimeRules(withOptions('day', 'MON'))).toEqual({ path: O, problem: 'type' });
  });
});

describe('TypeBox schemas', () => {
  it('accepts a valid write body and ignores unknown properties', () => {
    expect(Value.Check(TimeProfileWriteSchema, validBody())).toBe(true);
    expect(Value.Check(TimeProfileWriteSchema, { ...validBody(), extra: 1 })).toBe(true);
    expect(Value.Check(TimeProfileWriteSchema, { ...validBody(), link_id: null })).toBe(true);
    const { link_id: _ignored, ...noLink } = validBody();
    expect(Value.Check(TimeProfileWriteSchema, noLink)).toBe(true);
    expect(Value.Check(TimeProfileRulesSchema, rules('2024-03-01T09:00:00Z', '2024-03-01T17:00:00Z'))).toBe(true);
  });

  it('refuses structural errors', () => {
    expect(Value.Check(TimeProfileWriteSchema, { ...validBody(), name: '' })).toBe(false);
    expect(Value.Check(TimeProfileWriteSchema, { ...validBody(), name: 'x'.repeat(101) })).toBe(false);
    expect(Value.Check(TimeProfileWriteSchema, { ...validBody(), name: 'x'.repeat(100) })).toBe(true);
    expect(Value.Check(TimeProfileWriteSchema, { ...validBody(), link_id: 'not-a-uuid' })).toBe(false);
    expect(Value.Check(TimeProfileWriteSchema, mutate((b) => (b.time_options.date_from = 1.5)))).toBe(false);
    expect(Value.Check(TimeProfileWriteSchema, mutate((b) => (b.repeat_options.repeat_format.repeat_type = 'hourly')))).toBe(false);
    expect(
      Value.Check(TimeProfileWriteSchema, mutate((b) => (b.repeat_options.repeat_format.repeat_custom.repeat_looper = 1001))),
    ).toBe(false);
    expect(
      Value.Check(TimeProfileWriteSchema, mutate((b) => (b.repeat_options.repeat_format.repeat_custom.repeat_options = ['XYZ']))),
    ).toBe(false);
    expect(
      Value.Check(
        TimeProfileWriteSchema,
        mutate((b) => (b.repeat_options.repeat_format.repeat_custom.repeat_options = { months: [13], range: [1] })),
      ),
    ).toBe(false);
  });

  it('leaves additional properties open', () => {
    expect(JSON.stringify(TimeProfileWriteSchema)).not.toContain('additionalProperties');
  });
});

// ---------------------------------------------------------------------------------------------
// Activity
// ---------------------------------------------------------------------------------------------

describe('isActiveAt without repeat', () => {
  it('is active exactly inside [date_from, date_to]', () => {
    const r = rules('2024-03-01T09:00:00Z', '2024-03-01T17:00:00Z');
    expectActivity(
      r,
      ['2024-03-01T09:00:00Z', '2024-03-01T12:00:00Z', '2024-03-01T17:00:00Z', '2024-03-01T17:00:00.999Z'],
      ['2024-03-01T08:59:59Z', '2024-03-01T17:00:01Z', '2024-03-02T12:00:00Z', '2023-03-01T12:00:00Z'],
    );
  });

  it('covers whole calendar days when all day', () => {
    const r = rules('2024-03-01T09:00:00Z', '2024-03-02T10:00:00Z', null, { allDay: true });
    expectActivity(
      r,
      ['2024-03-01T00:00:00Z', '2024-03-01T08:00:00Z', '2024-03-02T23:59:59Z'],
      ['2024-02-29T23:59:59Z', '2024-03-03T00:00:00Z'],
    );
  });

  it('ignores a repeat_format while repeat is disabled', () => {
    const r = rules('2024-03-01T09:00:00Z', '2024-03-01T17:00:00Z');
    r.repeat_options = { repeat_enable: false, repeat_format: { repeat_type: 'day' } };
    expectActivity(r, ['2024-03-01T10:00:00Z'], ['2024-03-02T10:00:00Z']);
  });

  it('never treats an invalid Date as active', () => {
    expect(isActiveAt(rules('2024-03-01T09:00:00Z', '2024-03-01T17:00:00Z'), new Date(NaN))).toBe(false);
  });

  it('throws RangeError for an unknown time zone', () => {
    expect(() => isActiveAt(rules('2024-03-01T09:00:00Z', '2024-03-01T17:00:00Z'), at('2024-03-01T10:00:00Z'), 'Mars/Olympus')).toThrow(
      RangeError,
    );
  });
});

describe('isActiveAt with simple repeats', () => {
  it('repeats daily at the same time of day, never before the start', () => {
    const r = rules('2024-03-01T09:00:00Z', '2024-03-01T17:00:00Z', { repeat_type: 'day', repeat_end: { format: 'never' } });
    expectActivity(
      r,
      ['2024-03-01T09:00:00Z', '2024-03-02T09:00:00Z', '2024-03-10T12:00:00Z', '2024-03-10T17:00:00Z', '2030-07-04T16:59:59Z'],
      ['2024-02-29T12:00:00Z', '2024-03-01T08:59:59Z', '2024-03-10T08:59:59Z', '2024-03-10T17:00:01Z', '2024-03-10T23:00:00Z'],
    );
  });

  it('repeats an overnight window daily', () => {
    const r = rules('2024-03-01T22:00:00Z', '2024-03-02T06:00:00Z', { repeat_type: 'day' });
    expectActivity(
      r,
      ['2024-03-01T23:00:00Z', '2024-03-05T03:00:00Z', '2024-03-05T22:00:00Z', '2024-03-06T06:00:00Z'],
      ['2024-03-01T21:59:59Z', '2024-03-05T07:00:00Z', '2024-03-05T21:00:00Z'],
    );
  });

  it('repeats weekly on the same weekday', () => {
    // 2024-03-01 is a Friday
    const r = rules('2024-03-01T09:00:00Z', '2024-03-01T17:00:00Z', { repeat_type: 'week' });
    expectActivity(
      r,
      ['2024-03-08T10:00:00Z', '2024-03-15T16:00:00Z', '2025-02-28T09:00:00Z'],
      ['2024-03-07T10:00:00Z', '2024-03-09T10:00:00Z', '2024-03-08T18:00:00Z', '2024-02-23T10:00:00Z'],
    );
  });

  it('repeats every two weeks and refuses the odd week', () => {
    const r = rules('2024-03-01T09:00:00Z', '2024-03-01T17:00:00Z', { repeat_type: 'twoWeeks' });
    expectActivity(
      r,
      ['2024-03-15T10:00:00Z', '2024-03-29T10:00:00Z', '2024-04-12T10:00:00Z'],
      ['2024-03-08T10:00:00Z', '2024-03-22T10:00:00Z', '2024-04-05T10:00:00Z', '2024-03-14T10:00:00Z'],
    );
  });

  it('repeats monthly on the same day, skipping months without it', () => {
    const r = rules('2024-01-31T09:00:00Z', '2024-01-31T17:00:00Z', { repeat_type: 'month' });
    expectActivity(
      r,
      ['2024-03-31T10:00:00Z', '2024-05-31T10:00:00Z', '2024-12-31T16:59:00Z', '2025-01-31T09:00:00Z'],
      ['2024-02-29T10:00:00Z', '2024-03-01T10:00:00Z', '2024-04-30T10:00:00Z', '2024-06-30T10:00:00Z', '2024-03-31T08:00:00Z'],
    );
    const mid = rules('2024-01-15T09:00:00Z', '2024-01-15T17:00:00Z', { repeat_type: 'month' });
    expectActivity(mid, ['2024-02-15T10:00:00Z', '2024-11-15T10:00:00Z'], ['2024-02-14T10:00:00Z', '2023-12-15T10:00:00Z']);
  });

  it('repeats yearly on the same date, 29 February only in leap years', () => {
    const r = rules('2024-06-15T09:00:00Z', '2024-06-15T17:00:00Z', { repeat_type: 'year' });
    expectActivity(r, ['2025-06-15T10:00:00Z', '2030-06-15T10:00:00Z'], ['2025-06-14T10:00:00Z', '2025-07-15T10:00:00Z', '2023-06-15T10:00:00Z']);
    const leap = rules('2024-02-29T00:00:00Z', '2024-02-29T23:59:59Z', { repeat_type: 'year' });
    expectActivity(
      leap,
      ['2028-02-29T12:00:00Z', '2032-02-29T00:00:00Z'],
      ['2025-02-28T12:00:00Z', '2025-03-01T12:00:00Z', '2027-02-28T12:00:00Z', '2100-03-01T12:00:00Z'],
    );
  });

  it('repeats all-day windows as whole days', () => {
    // Saturday and Sunday, every week
    const r = rules('2024-03-02T10:00:00Z', '2024-03-03T10:00:00Z', { repeat_type: 'week' }, { allDay: true });
    expectActivity(
      r,
      ['2024-03-09T00:00:00Z', '2024-03-10T23:59:59Z', '2024-03-16T05:00:00Z'],
      ['2024-03-08T23:59:59Z', '2024-03-11T00:00:00Z', '2024-03-13T12:00:00Z', '2024-03-01T12:00:00Z'],
    );
  });
});

describe('isActiveAt with repeat_end', () => {
  it('starts no occurrence after the end date; a started one runs to its end', () => {
    const r = rules('2024-03-01T09:00:00Z', '2024-03-01T17:00:00Z', {
      repeat_type: 'day',
      repeat_end: { format: 'date', date: u('2024-03-05T12:00:00Z') },
    });
    expectActivity(
      r,
      ['2024-03-03T10:00:00Z', '2024-03-05T10:00:00Z', '2024-03-05T16:00:00Z', '2024-03-05T17:00:00Z'],
      ['2024-03-05T17:00:01Z', '2024-03-06T10:00:00Z', '2024-04-01T10:00:00Z'],
    );
  });

  it('includes an occurrence starting exactly at the end date', () => {
    const r = rules('2024-03-01T09:00:00Z', '2024-03-01T17:00:00Z', {
      repeat_type: 'week',
      repeat_end: { format: 'date', date: u('2024-03-15T09:00:00Z') },
    });
    expectActivity(r, ['2024-03-08T12:00:00Z', '2024-03-15T12:00:00Z'], ['2024-03-22T12:00:00Z']);
  });

  it('with an end equal to date_from leaves only the first occurrence', () => {
    const r = rules('2024-03-01T09:00:00Z', '2024-03-01T17:00:00Z', {
      repeat_type: 'day',
      repeat_end: { format: 'date', date: u('2024-03-01T09:00:00Z') },
    });
    expectActivity(r, ['2024-03-01T12:00:00Z'], ['2024-03-02T12:00:00Z']);
  });

  it('applies to all-day windows by the day they start on', () => {
    const r = rules('2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z', {
      repeat_type: 'day',
      repeat_end: { format: 'date', date: u('2024-03-04T00:00:00Z') },
    }, { allDay: true });
    expectActivity(r, ['2024-03-04T23:00:00Z'], ['2024-03-05T01:00:00Z']);
  });
});

describe('isActiveAt with custom repeats', () => {
  it('every N days', () => {
    const r = rules('2024-03-01T09:00:00Z', '2024-03-01T17:00:00Z', custom('day', 3));
    expectActivity(r, ['2024-03-04T10:00:00Z', '2024-03-07T10:00:00Z', '2024-03-31T10:00:00Z'], ['2024-03-02T10:00:00Z', '2024-03-05T10:00:00Z', '2024-03-06T10:00:00Z']);
  });

  it('on listed weekdays every N weeks', () => {
    // 2024-03-04 is a Monday; every second week on MON and WED
    const r = rules('2024-03-04T09:00:00Z', '2024-03-04T17:00:00Z', custom('week', 2, ['WED', 'MON']));
    expectActivity(
      r,
      ['2024-03-04T10:00:00Z', '2024-03-06T10:00:00Z', '2024-03-18T10:00:00Z', '2024-03-20T16:00:00Z', '2024-04-01T10:00:00Z'],
      [
        '2024-03-05T10:00:00Z',
        '2024-03-11T10:00:00Z',
        '2024-03-13T10:00:00Z',
        '2024-03-19T10:00:00Z',
        '2024-03-20T18:00:00Z',
        '2024-03-25T10:00:00Z',
        '2024-02-26T10:00:00Z',
      ],
    );
  });

  it('counts weeks from the week of date_from, and date_from’s day is always the first occurrence', () => {
    // 2024-03-07 is a Thursday; every 3rd week on MON and SAT
    const r = rules('2024-03-07T09:00:00Z', '2024-03-07T17:00:00Z', custom('week', 3, ['MON', 'SAT']));
    expectActivity(
      r,
      ['2024-03-07T10:00:00Z', '2024-03-09T10:00:00Z', '2024-03-25T10:00:00Z', '2024-03-30T10:00:00Z'],
      ['2024-03-04T10:00:00Z', '2024-03-11T10:00:00Z', '2024-03-14T10:00:00Z', '2024-03-16T10:00:00Z', '2024-03-28T10:00:00Z'],
    );
  });

  it('on day numbers every N months', () => {
    const r = rules('2024-01-01T09:00:00Z', '2024-01-01T17:00:00Z', custom('month', 1, { format: 'dayNumbers', range: [31, 1, 15] }));
    expectActivity(
      r,
      ['2024-01-15T10:00:00Z', '2024-01-31T10:00:00Z', '2024-02-01T10:00:00Z', '2024-02-15T10:00:00Z', '2024-05-31T10:00:00Z'],
      ['2024-02-16T10:00:00Z', '2024-02-29T10:00:00Z', '2024-04-30T10:00:00Z', '2024-05-01T08:00:00Z'],
    );
    const everyOther = rules('2024-01-01T09:00:00Z', '2024-01-01T17:00:00Z', custom('month', 2, { format: 'dayNumbers', range: [15] }));
    expectActivity(
      everyOther,
      ['2024-01-15T10:00:00Z', '2024-03-15T10:00:00Z', '2025-01-15T10:00:00Z'],
      ['2024-02-15T10:00:00Z', '2024-04-15T10:00:00Z', '2024-12-15T10:00:00Z'],
    );
  });

  it('on parameterized days (first Monday, last Friday)', () => {
    const r = rules(
      '2024-01-01T09:00:00Z',
      '2024-01-01T17:00:00Z',
      custom('month', 1, {
        format: 'parameterizedDay',
        range: [
          { week: 'first', day: 'MON' },
          { week: 'last', day: 'FRI' },
        ],
      }),
    );
    expectActivity(
      r,
      [
        '2024-02-05T10:00:00Z', // first Monday of February
        '2024-02-23T10:00:00Z', // last Friday of February (the 29th is a Thursday)
        '2024-03-04T10:00:00Z',
        '2024-03-29T10:00:00Z',
        '2024-05-31T10:00:00Z', // a fifth Friday is the last one
        '2024-07-01T10:00:00Z', // first Monday on the 1st
      ],
      ['2024-03-11T10:00:00Z', '2024-03-22T10:00:00Z', '2024-05-24T10:00:00Z', '2024-07-08T10:00:00Z', '2024-03-01T10:00:00Z'],
    );
  });

  it('on second/third/fourth weekdays', () => {
    const r = rules(
      '2024-01-01T09:00:00Z',
      '2024-01-01T17:00:00Z',
      custom('month', 1, {
        format: 'parameterizedDay',
        range: [
          { week: 'fourth', day: 'THU' },
          { week: 'second', day: 'SUN' },
          { week: 'third', day: 'WED' },
        ],
      }),
    );
    // November 2024: Thursdays 7,14,21,28; Sundays 3,10,...; Wednesdays 6,13,20,27
    expectActivity(
      r,
      ['2024-11-28T10:00:00Z', '2024-11-10T10:00:00Z', '2024-11-20T10:00:00Z'],
      ['2024-11-21T10:00:00Z', '2024-11-03T10:00:00Z', '2024-11-27T10:00:00Z'],
    );
  });

  it('on listed days of listed months every N years', () => {
    const r = rules('2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', custom('year', 1, { months: [12, 3], range: [25, 1] }), {
      allDay: true,
    });
    expectActivity(
      r,
      ['2024-03-01T12:00:00Z', '2024-03-25T12:00:00Z', '2025-12-25T12:00:00Z', '2026-03-01T00:00:00Z', '2026-12-01T23:59:59Z'],
      ['2025-12-24T12:00:00Z', '2026-04-01T12:00:00Z', '2026-04-25T12:00:00Z', '2025-01-01T12:00:00Z'],
    );
    const everyOther = rules('2024-01-01T09:00:00Z', '2024-01-01T17:00:00Z', custom('year', 2, { months: [2], range: [29] }));
    expectActivity(
      everyOther,
      ['2024-02-29T10:00:00Z', '2028-02-29T10:00:00Z'],
      ['2026-02-28T10:00:00Z', '2026-03-01T10:00:00Z', '2025-02-28T10:00:00Z'],
    );
    const everyFour = rules('2024-01-01T09:00:00Z', '2024-01-01T17:00:00Z', custom('year', 4, { months: [2], range: [29] }));
    expectActivity(everyFour, ['2028-02-29T10:00:00Z', '2096-02-29T10:00:00Z'], ['2100-02-28T10:00:00Z', '2100-03-01T10:00:00Z']);
  });

  it('stops custom repeats at repeat_end', () => {
    const r = rules(
      '2024-03-04T09:00:00Z',
      '2024-03-04T17:00:00Z',
      custom('week', 1, ['MON', 'FRI'], '2024-03-15T08:00:00Z'),
    );
    expectActivity(r, ['2024-03-08T10:00:00Z', '2024-03-11T10:00:00Z'], ['2024-03-15T10:00:00Z', '2024-03-18T10:00:00Z']);
  });
});

describe('isActiveAt in a non-UTC zone', () => {
  // Europe/Helsinki: EET (+02:00) until 2024-03-31 03:00 local, then EEST (+03:00) until 2024-10-27 04:00.
  const Z = 'Europe/Helsinki';

  it('keeps the local time of day across the spring DST change', () => {
    // 08:00–16:00 Helsinki time, daily from Monday 2024-03-25 (06:00Z–14:00Z in winter time)
    const r = rules('2024-03-25T06:00:00Z', '2024-03-25T14:00:00Z', { repeat_type: 'day' });
    expectActivity(
      r,
      ['2024-03-26T06:00:00Z', '2024-03-26T13:30:00Z', '2024-04-01T05:00:00Z', '2024-04-01T05:30:00Z', '2024-04-01T13:00:00Z'],
      ['2024-03-26T05:59:59Z', '2024-04-01T04:59:59Z', '2024-04-01T13:00:01Z', '2024-04-01T13:30:00Z'],
      Z,
    );
    // the same rules in UTC keep 06:00Z–14:00Z instead
    expect(isActiveAt(r, at('2024-04-01T05:30:00Z'))).toBe(false);
    expect(isActiveAt(r, at('2024-04-01T13:30:00Z'))).toBe(true);
  });

  it('handles a window inside the skipped and the repeated hour', () => {
    // 03:30–05:00 local daily from 2024-03-28 (01:30Z–03:00Z). On 2024-03-31 03:00–04:00 does not exist.
    const spring = rules('2024-03-28T01:30:00Z', '2024-03-28T03:00:00Z', { repeat_type: 'day' });
    expectActivity(spring, ['2024-03-31T01:00:00Z', '2024-03-31T01:59:59Z', '2024-04-01T00:30:00Z'], ['2024-03-31T02:00:01Z', '2024-03-31T00:59:59Z'], Z);
    // 03:15–03:45 local daily from 2024-10-20 (00:15Z–00:45Z in summer time); 03:xx happens twice on 2024-10-27
    const autumn = rules('2024-10-20T00:15:00Z', '2024-10-20T00:45:00Z', { repeat_type: 'day' });
    expectActivity(
      autumn,
      ['2024-10-27T00:30:00Z', '2024-10-27T01:30:00Z', '2024-10-28T01:30:00Z'],
      ['2024-10-27T01:00:00Z', '2024-10-28T00:30:00Z'],
      Z,
    );
  });

  it('uses local calendar days for all-day windows and weekdays', () => {
    // All of Saturday 2024-03-30 in Helsinki: 2024-03-29T22:00Z – 2024-03-30T21:00Z (DST starts the next night)
    const r = rules('2024-03-30T08:00:00Z', '2024-03-30T08:00:00Z', { repeat_type: 'week' }, { allDay: true });
    expectActivity(
      r,
      ['2024-03-29T22:00:00Z', '2024-03-30T21:59:59Z', '2024-04-05T21:00:00Z', '2024-04-06T20:59:59Z'],
      ['2024-03-29T21:59:59Z', '2024-03-30T22:00:00Z', '2024-04-05T20:59:59Z', '2024-04-06T21:00:00Z'],
      Z,
    );
    // a weekday window that is Monday in Helsinki but Sunday in UTC: 00:30 local Monday = 22:30Z Sunday (winter)
    const monday = rules('2024-01-14T22:30:00Z', '2024-01-14T23:30:00Z', custom('week', 1, ['MON']));
    expectActivity(monday, ['2024-01-21T22:45:00Z', '2024-04-14T21:45:00Z'], ['2024-01-22T22:45:00Z', '2024-04-14T22:45:00Z'], Z);
  });

  it('counts month days in local time', () => {
    // 00:00–01:00 Helsinki on the 1st of every month = 22:00Z–23:00Z on the last day of the previous month (winter)
    const r = rules('2024-01-31T22:00:00Z', '2024-01-31T23:00:00Z', { repeat_type: 'month' });
    expectActivity(r, ['2024-02-29T22:30:00Z', '2024-05-31T21:30:00Z'], ['2024-02-29T21:30:00Z', '2024-03-01T22:30:00Z'], Z);
  });
});
