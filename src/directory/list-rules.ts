/**
 * The `Extra` list validation of a bulk upsert (platform-api.md §5.2, seed 003): per field of
 * UserText, `Required`, `Unique`, `Min`, `Max`, `Pattern`, `DefaultValue`, and for `UserId` the
 * key field its values refer to (`FieldName`).
 *
 * - `Min`/`Max`: when the value and the bound both read as numbers they compare as numbers, else
 *   when both read as ISO 8601 dates as instants, else the bound (a whole number) is a length.
 *   A bound that is neither a number nor a date is a 400 naming the rule.
 * - `Pattern`: an ECMAScript regular expression searched in the value (`RegExp#test`, no flags).
 *   Patterns come from the caller, so they run in a separate V8 context with a time budget
 *   ({@link PATTERN_BUDGET_MS} for all the values of one rule): a pattern that backtracks
 *   catastrophically is interrupted and the request gets a 400 naming the rule, instead of the
 *   server hanging. Patterns are at most 1000 characters; values at most 1000.
 * - `DefaultValue` fills a value that is empty (absent, null or ''); one that does not fit the
 *   field's type (e.g. `yes` for Is_Active) is dropped, as the seed says ("cleaned").
 */
import vm from 'node:vm';
import { toStoredDatetime } from '../store/list-query.ts';
import { InvalidInputError } from './errors.ts';
import { keyField, type KeyField } from './keys.ts';
import { userTextField, type UserTextField } from './user-text.ts';

export const PATTERN_BUDGET_MS = 500;

export interface RuleInput {
  name: string;
  fieldName?: string | null;
  required?: boolean;
  unique?: boolean;
  min?: string | null;
  max?: string | null;
  pattern?: string | null;
  defaultValue?: string | null;
}

interface Bound {
  raw: string;
  number?: number;
  date?: string;
  length?: number;
}

export interface Rule {
  field: UserTextField;
  /** Index in `Extra`, for messages. */
  index: number;
  required: boolean;
  unique: boolean;
  min?: Bound;
  max?: Bound;
  pattern?: string;
  defaultValue?: string;
}

export interface CompiledRules {
  byField: Map<UserTextField, Rule>;
  /** The user key field that bulk `UserId` values refer to (`FieldName` of the UserId rule; default Id). */
  userIdKey: KeyField;
}

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

function readBound(raw: string): Bound | undefined {
  const bound: Bound = { raw };
  if (NUMBER.test(raw)) {
    bound.number = Number(raw);
    if (Number.isInteger(bound.number) && bound.number >= 0) bound.length = bound.number;
  }
  const date = toStoredDatetime(raw);
  if (date !== null) bound.date = date;
  return bound.number !== undefined || bound.date !== undefined ? bound : undefined;
}

/** Checks the rules themselves; every problem is reported as `Extra[i].<Property>: …`. */
export function compileRules(inputs: readonly RuleInput[]): CompiledRules {
  const errors: string[] = [];
  const byField = new Map<UserTextField, Rule>();
  let userIdKey = keyField('User', 'Id', 'Extra');
  inputs.forEach((input, index) => {
    const at = `Extra[${index}]`;
    const field = userTextField(input.name);
    if (!field) {
      errors.push(`${at}.Name: unknown field '${input.name.slice(0, 60)}' (allowed: Id, UserId, Name, Username, Email, MobilePhone, External_Id, Is_Active)`);
      return;
    }
    const earlier = byField.get(field);
    if (earlier) {
      errors.push(`${at}.Name: '${field}' already has a rule (Extra[${earlier.index}])`);
      return;
    }
    const rule: Rule = { field, index, required: input.required === true, unique: input.unique === true };
    const fieldName = input.fieldName?.trim() ?? '';
    if (fieldName !== '') {
      if (field === 'UserId') {
        try {
          userIdKey = keyField('User', fieldName, `${at}.FieldName`);
        } catch (error) {
          if (!(error instanceof InvalidInputError)) throw error;
          errors.push(...error.errors);
        }
      } else if (fieldName.toLowerCase() !== field.toLowerCase()) {
        errors.push(`${at}.FieldName: only UserId refers to another field; '${field}' is not a foreign key`);
      }
    }
    for (const side of ['min', 'max'] as const) {
      const raw = input[side];
      if (raw === undefined || raw === null || raw.trim() === '') continue;
      const bound = readBound(raw);
      if (!bound) errors.push(`${at}.${side === 'min' ? 'Min' : 'Max'}: '${raw.slice(0, 60)}' is neither a number nor an ISO 8601 date`);
      else rule[side] = bound;
    }
    if (input.pattern !== undefined && input.pattern !== null && input.pattern !== '') {
      try {
        new RegExp(input.pattern);
        rule.pattern = input.pattern;
      } catch (error) {
        errors.push(`${at}.Pattern: not a valid regular expression (${(error as Error).message.slice(0, 120)})`);
      }
    }
    if (input.defaultValue !== undefined && input.defaultValue !== null && input.defaultValue !== '') rule.defaultValue = input.defaultValue;
    if (rule.unique && field === 'Is_Active') errors.push(`${at}.Unique: does not apply to Is_Active`);
    byField.set(field, rule);
  });
  if (errors.length > 0) throw new InvalidInputError(errors);
  return { byField, userIdKey };
}

function compare(value: string, bound: Bound): { cmp: number; as: 'number' | 'date' | 'length' } | undefined {
  if (bound.number !== undefined && NUMBER.test(value)) return { cmp: Math.sign(Number(value) - bound.number), as: 'number' };
  if (bound.date !== undefined) {
    const date = toStoredDatetime(value);
    if (date !== null) return { cmp: date < bound.date ? -1 : date > bound.date ? 1 : 0, as: 'date' };
  }
  if (bound.length !== undefined) return { cmp: Math.sign([...value].length - bound.length), as: 'length' };
  return undefined;
}

/** The Min/Max problem of one set value, or undefined. */
export function boundProblem(rule: Rule, value: string): string | undefined {
  for (const side of ['min', 'max'] as const) {
    const bound = rule[side];
    if (!bound) continue;
    const result = compare(value, bound);
    const tooFar = result === undefined || (side === 'min' ? result.cmp < 0 : result.cmp > 0);
    if (!tooFar) continue;
    const least = side === 'min';
    if (!result) return `'${value.slice(0, 60)}' cannot be compared with ${least ? 'Min' : 'Max'} '${bound.raw}'`;
    if (result.as === 'length') return `must be at ${least ? 'least' : 'most'} ${bound.length} characters long`;
    if (result.as === 'date') return `must be ${least ? 'on or after' : 'on or before'} ${bound.raw}`;
    return `must be ${least ? 'at least' : 'at most'} ${bound.raw}`;
  }
  return undefined;
}

const patternContext = vm.createContext(Object.create(null));
const PATTERN_SCRIPT = new vm.Script(
  '(function (source, values) { const re = new RegExp(source); const out = []; for (let i = 0; i < values.length; i++) out.push(re.test(values[i])); return out; })(source, values)',
);

/**
 * Which of `values` the pattern is found in; 'timeout' when they take longer than the budget.
 * Runs in its own V8 context so that a catastrophic pattern can be interrupted.
 */
export function searchPattern(source: string, values: readonly string[], budgetMs = PATTERN_BUDGET_MS): boolean[] | 'timeout' {
  if (values.length === 0) return [];
  const sandbox = patternContext as Record<string, unknown>;
  sandbox.source = source;
  sandbox.values = values;
  try {
    const found = PATTERN_SCRIPT.runInContext(patternContext, { timeout: budgetMs }) as ArrayLike<boolean>;
    return Array.from(found);
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timeout';
    throw error;
  } finally {
    sandbox.source = undefined;
    sandbox.values = undefined;
  }
}
