import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/directory/errors.ts';
import { boundProblem, compileRules, searchPattern } from '../../src/directory/list-rules.ts';

const rule = (input: Parameters<typeof compileRules>[0][number]) => compileRules([input]).byField.values().next().value!;

describe('Extra list validation rules', () => {
  it('compares Min/Max as numbers, then as ISO dates, else as lengths', () => {
    const numeric = rule({ name: 'MobilePhone', min: '10', max: '20.5' });
    expect(boundProblem(numeric, '9')).toBe('must be at least 10');
    expect(boundProblem(numeric, '20.5')).toBeUndefined();
    expect(boundProblem(numeric, '21')).toBe('must be at most 20.5');
    // Not a number: the bound is a length.
    expect(boundProblem(numeric, 'abcdefghi')).toBe('must be at least 10 characters long');
    // 20.5 is no length: a long text cannot be compared with it.
    expect(boundProblem(numeric, 'abcdefghijk')).toBe("'abcdefghijk' cannot be compared with Max '20.5'");
    const lengths = rule({ name: 'Name', min: '2', max: '4' });
    expect(boundProblem(lengths, 'abcd')).toBeUndefined();
    expect(boundProblem(lengths, 'abcde')).toBe('must be at most 4 characters long');

    const dated = rule({ name: 'Username', min: '2021-01-01', max: '2021-12-31T23:59:59Z' });
    expect(boundProblem(dated, '2020-12-31')).toBe('must be on or after 2021-01-01');
    expect(boundProblem(dated, '2021-06-01T12:00:00+02:00')).toBeUndefined();
    expect(boundProblem(dated, '2022-01-01')).toBe('must be on or before 2021-12-31T23:59:59Z');
    expect(boundProblem(dated, 'not a date')).toBe("'not a date' cannot be compared with Min '2021-01-01'");
  });

  it('refuses rules it cannot apply, naming each', () => {
    try {
      compileRules([
        { name: 'Nope' },
        { name: 'Email', pattern: '(' },
        { name: 'Name', max: 'later' },
        { name: 'UserId', fieldName: 'Colour' },
        { name: 'Is_Active', unique: true },
      ]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      const errors = (error as InvalidInputError).errors;
      expect(errors).toHaveLength(5);
      expect(errors.map((e) => e.split(':')[0])).toEqual(['Extra[0].Name', 'Extra[1].Pattern', 'Extra[2].Max', 'Extra[3].FieldName', 'Extra[4].Unique']);
    }
    expect(compileRules([{ name: 'userid', fieldName: 'external_id' }]).userIdKey.name).toBe('External_Id');
    expect(compileRules([]).userIdKey.name).toBe('Id');
  });

  it('searches patterns in values, and interrupts one that backtracks catastrophically', () => {
    expect(searchPattern('^[A-Z]{2}\\d+$', ['AB12', 'ab12', 'XY9'])).toEqual([true, false, true]);
    expect(searchPattern('lo', ['hello'])).toEqual([true]);
    const started = Date.now();
    expect(searchPattern('^(a+)+$', [`${'a'.repeat(40)}!`], 200)).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    // The sandbox is clean for the next call.
    expect(searchPattern('b', ['abc'])).toEqual([true]);
  });
});
