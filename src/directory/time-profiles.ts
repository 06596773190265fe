/**
 * Time profiles of the access-control panel dialect: the rules, their checks, and when they are active.
 *
 * ## Body
 *
 * `{"name", "link_id"?, "time_options", "repeat_options"}` — `name` 1–100 characters, `link_id` an
 * optional UUID (or null). Unknown properties are ignored.
 *
 * - `time_options {is_all_day, date_from, date_to}` — unix seconds (integers 0…253402300799),
 *   `date_from ≤ date_to`. The pair is the profile's first window.
 * - `repeat_options {repeat_enable, repeat_format?}` — `repeat_format` is required when
 *   `repeat_enable` is true and ignored (but still checked when present) when it is false.
 * - `repeat_format {repeat_type, repeat_end?, repeat_custom?}` — `repeat_type` is one of
 *   `day | week | twoWeeks | month | year | custom`. `repeat_end` absent or null means
 *   `{"format":"never"}`; with `{"format":"date","date":T}` the date is required and `T ≥ date_from`.
 *   `repeat_custom` is required when `repeat_type` is `custom`.
 * - `repeat_custom {repeat_point_type, repeat_looper, repeat_options}` — `repeat_point_type` is
 *   `day | week | month | year`, `repeat_looper` an integer 1–1000 ("every N days/weeks/months/years").
 *   `repeat_options` depends on `repeat_point_type`:
 *   - `day`: not used (may be absent or null).
 *   - `week`: a non-empty array of distinct weekday names `"MON"…"SUN"` (upper case), e.g. `["MON","WED"]`.
 *   - `month`: either `{"format":"dayNumbers","range":[1,15,31]}` — a non-empty list of distinct
 *     day-of-month numbers 1–31; a month that has no such day (the 31st in April, the 30th in
 *     February) simply has no occurrence on it —
 *     or `{"format":"parameterizedDay","range":[{"week":"first","day":"MON"},{"week":"last","day":"FRI"}]}`
 *     — a non-empty list of distinct (week, day) pairs, `week` one of
 *     `first | second | third | fourth | last` and `day` a weekday name: "the first Monday of the
 *     month" is the Monday among days 1–7, "second" among 8–14, "third" 15–21, "fourth" 22–28,
 *     "last" the last such weekday of the month (which may also be the fourth).
 *   - `year`: `{"months":[3,12],"range":[1,25]}` — a non-empty list of distinct months 1–12 and a
 *     non-empty list of distinct day-of-month numbers 1–31; every listed day of every listed month
 *     (here 1 Mar, 25 Mar, 1 Dec, 25 Dec). At least one combination must exist in some year
 *     (`{"months":[2],"range":[30]}` is refused; 29 February occurs in leap years only).
 *   A shape that does not fit the `repeat_point_type` (an array for `month`, an object for `week`) is
 *   "of the wrong type".
 * - Blocks that are present are checked even when not in effect (`repeat_format` with
 *   `repeat_enable: false`, `repeat_custom` with a non-custom `repeat_type`); omit them or send null.
 *   `null` for a required field counts as missing.
 *
 * ## When a profile is active
 *
 * Calendar fields (date, weekday, time of day) are taken in the evaluating time zone (an IANA name,
 * UTC by default); times are compared at one-second resolution.
 *
 * - No repeat (`repeat_enable` false): active when `date_from ≤ t ≤ date_to`. With `is_all_day`,
 *   active on every whole calendar day from `date_from`'s day to `date_to`'s day (inclusive).
 * - Repeat: the first occurrence is exactly that window. Further occurrences start on other
 *   calendar days at the same local time of day as `date_from` and end the same number of calendar
 *   days later at the same local time of day as `date_to` (the same wall-clock window; with
 *   `is_all_day`, the same number of whole days). Occurrence days:
 *   - `day`: every day; `week`: every 7 days; `twoWeeks`: every 14 days (the week in between is
 *     inactive); `month`: the same day of the month every month (no occurrence in a month without
 *     that day); `year`: the same month and day every year (29 February: leap years only);
 *   - `custom`: every `repeat_looper` days (`day`); every `repeat_looper`-th week, Monday-based,
 *     counted from `date_from`'s week, on the listed weekdays (`week`); every `repeat_looper`-th
 *     month counted from `date_from`'s month, on the listed day numbers or parameterized days
 *     (`month`); every `repeat_looper`-th year counted from `date_from`'s year, on the listed days
 *     of the listed months (`year`). `date_from`'s own day is always an occurrence (the first).
 * - Never active before the first occurrence starts. With `repeat_end {"format":"date","date":E}`
 *   no occurrence starts after instant E (an occurrence that started at or before E runs to its
 *   end); send the end of the last day to include that day's occurrence.
 * - Occurrences may overlap (e.g. a 36-hour window repeated daily); the profile is active in any of them.
 */
import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export const WEEK_ORDINALS = ['first', 'second', 'third', 'fourth', 'last'] as const;
export const REPEAT_TYPES = ['day', 'week', 'twoWeeks', 'month', 'year', 'custom'] as const;
export const REPEAT_POINT_TYPES = ['day', 'week', 'month', 'year'] as const;
export const REPEAT_END_FORMATS = ['never', 'date'] as const;
export const MONTH_DAY_FORMATS = ['dayNumbers', 'parameterizedDay'] as const;

/** Largest accepted unix time: 9999-12-31T23:59:59Z. */
export const MAX_UNIX_SECONDS = 253402300799;
export const MIN_REPEAT_LOOPER = 1;
export const MAX_REPEAT_LOOPER = 1000;

export type Weekday = (typeof WEEKDAYS)[number];
export type WeekOrdinal = (typeof WEEK_ORDINALS)[number];
export type RepeatType = (typeof REPEAT_TYPES)[number];
export type RepeatPointType = (typeof REPEAT_POINT_TYPES)[number];

// ---------------------------------------------------------------------------------------------
// Schemas (structure: types, enums, integer bounds). The semantic rules are in validateTimeRules.
// ---------------------------------------------------------------------------------------------

function literalUnion<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as TUnion<TLiteral<T[number]>[]>;
}

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

const UnixSeconds = (description: string) =>
  Type.Integer({ minimum: 0, maximum: MAX_UNIX_SECONDS, description });

export const WeekdaySchema = literalUnion(WEEKDAYS, { description: 'Weekday name, upper case' });
export const DayNumberSchema = Type.Integer({ minimum: 1, maximum: 31, description: 'Day of the month' });
export const MonthNumberSchema = Type.Integer({ minimum: 1, maximum: 12, description: 'Month, 1 = January' });

export const TimeOptionsSchema = Type.Object({
  is_all_day: Type.Boolean({ description: 'Whole calendar days from date_from’s day to date_to’s day' }),
  date_from: UnixSeconds('Start of the first window, unix seconds'),
  date_to: UnixSeconds('End of the first window (inclusive), unix seconds, ≥ date_from'),
});

export const RepeatEndSchema = Type.Object({
  format: literalUnion(REPEAT_END_FORMATS),
  date: Type.Optional(
    Type.Union([UnixSeconds('No occurrence starts after this instant; required when format is date'), Type.Null()]),
  ),
});

export const WeekdayRepeatOptionsSchema = Type.Array(WeekdaySchema, {
  description: 'repeat_point_type week: distinct weekdays, non-empty',
});

export const DayNumbersRepeatOptionsSchema = Type.Object({
  format: Type.Literal('dayNumbers'),
  range: Type.Array(DayNumberSchema, { description: 'Distinct days of the month, non-empty' }),
});

export const ParameterizedDaySchema = Type.Object({
  week: literalUnion(WEEK_ORDINALS, {
    description: 'first = days 1–7, second 8–14, third 15–21, fourth 22–28, last = last in the month',
  }),
  day: WeekdaySchema,
});

export const ParameterizedDayRepeatOptionsSchema = Type.Object({
  format: Type.Literal('parameterizedDay'),
  range: Type.Array(ParameterizedDaySchema, { description: 'Distinct (week, day) pairs, non-empty' }),
});

export const YearRepeatOptionsSchema = Type.Object({
  months: Type.Array(MonthNumberSchema, { description: 'Distinct months, non-empty' }),
  range: Type.Array(DayNumberSchema, { description: 'Distinct days of the month, non-empty' }),
});

export const CustomRepeatOptionsSchema = Type.Union([
  WeekdayRepeatOptionsSchema,
  DayNumbersRepeatOptionsSchema,
  ParameterizedDayRepeatOptionsSchema,
  YearRepeatOptionsSchema,
]);

export const RepeatCustomSchema = Type.Object({
  repeat_point_type: literalUnion(REPEAT_POINT_TYPES),
  repeat_looper: Type.Integer({
    minimum: MIN_REPEAT_LOOPER,
    maximum: MAX_REPEAT_LOOPER,
    description: 'Every N units of repeat_point_type',
  }),
  repeat_options: Type.Optional(
    Type.Union([CustomRepeatOptionsSchema, Type.Null()], {
      description:
        'week: ["MON",…]; month: {"format":"dayNumbers","range":[1,15]} or ' +
        '{"format":"parameterizedDay","range":[{"week":"first","day":"MON"}]}; year: {"months":[1,12],"range":[1]}; ' +
        'day: not used',
    }),
  ),
});

export const RepeatFormatSchema = Type.Object({
  repeat_type: literalUnion(REPEAT_TYPES),
  repeat_end: Type.Optional(Type.Union([RepeatEndSchema, Type.Null()], { description: 'Absent or null: never' })),
  repeat_custom: Type.Optional(
    Type.Union([RepeatCustomSchema, Type.Null()], { description: 'Required when repeat_type is custom' }),
  ),
});

export const RepeatOptionsSchema = Type.Object({
  repeat_enable: Type.Boolean(),
  repeat_format: Type.Optional(
    Type.Union([RepeatFormatSchema, Type.Null()], { description: 'Required when repeat_enable is true' }),
  ),
});

export const TimeProfileRulesSchema = Type.Object({
  time_options: TimeOptionsSchema,
  repeat_options: RepeatOptionsSchema,
});

export const TimeProfileWriteSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    link_id: Type.Optional(Type.Union([Type.String({ pattern: UUID_PATTERN, description: 'UUID' }), Type.Null()])),
    time_options: TimeOptionsSchema,
    repeat_options: RepeatOptionsSchema,
  },
  { description: 'A time profile. Beyond this structure, validateTimeRules applies the semantic rules.' },
);

export type TimeOptions = Static<typeof TimeOptionsSchema>;
export type RepeatEnd = Static<typeof RepeatEndSchema>;
export type ParameterizedDay = Static<typeof ParameterizedDaySchema>;
export type DayNumbersRepeatOptions = Static<typeof DayNumbersRepeatOptionsSchema>;
export type ParameterizedDayRepeatOptions = Static<typeof ParameterizedDayRepeatOptionsSchema>;
export type YearRepeatOptions = Static<typeof YearRepeatOptionsSchema>;
export type CustomRepeatOptions = Static<typeof CustomRepeatOptionsSchema>;
export type RepeatCustom = Static<typeof RepeatCustomSchema>;
export type RepeatFormat = Static<typeof RepeatFormatSchema>;
export type RepeatOptions = Static<typeof RepeatOptionsSchema>;
export type TimeProfileRules = Static<typeof TimeProfileRulesSchema>;
export type TimeProfileWrite = Static<typeof TimeProfileWriteSchema>;

// ---------------------------------------------------------------------------------------------
// Semantic validation
// ---------------------------------------------------------------------------------------------

export type TimeRulesProblemKind = 'missing' | 'type' | 'range';

/**
 * A failed rule. `path` names the field from the body's root, e.g. `time_options.date_to` or
 * `repeat_options.repeat_format.repeat_custom.repeat_options[1]`; `''` when the input is not an object.
 * `missing`: absent or null; `type`: wrong JSON type; `range`: right JSON type, value not allowed
 * (bounds, enum, non-integer number, empty or duplicate list entries, date order).
 */
export interface TimeRulesProblem {
  path: string;
  problem: TimeRulesProblemKind;
}

class Fail {
  constructor(readonly result: TimeRulesProblem) {}
}

function fail(path: string, problem: TimeRulesProblemKind): never {
  throw new Fail({ path, problem });
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(obj: Json, key: string, path: string): { value: unknown; path: string } {
  return { value: obj[key], path: path === '' ? key : `${path}.${key}` };
}

function reqObject(obj: Json, key: string, path: string): { value: Json; path: string } {
  const c = child(obj, key, path);
  if (c.value === undefined || c.value === null) fail(c.path, 'missing');
  if (!isObject(c.value)) fail(c.path, 'type');
  return { value: c.value, path: c.path };
}

/** undefined when absent or null. */
function optObject(obj: Json, key: string, path: string): { value: Json; path: string } | undefined {
  const c = child(obj, key, path);
  if (c.value === undefined || c.value === null) return undefined;
  if (!isObject(c.value)) fail(c.path, 'type');
  return { value: c.value, path: c.path };
}

function checkBoolean(value: unknown, path: string): boolean {
  if (value === undefined || value === null) fail(path, 'missing');
  if (typeof value !== 'boolean') fail(path, 'type');
  return value;
}

function checkInteger(value: unknown, path: string, min: number, max: number): number {
  if (value === undefined || value === null) fail(path, 'missing');
  if (typeof value !== 'number') fail(path, 'type');
  if (!Number.isInteger(value) || value < min || value > max) fail(path, 'range');
  return value;
}

function checkEnum<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (value === undefined || value === null) fail(path, 'missing');
  if (typeof value !== 'string') fail(path, 'type');
  if (!(allowed as readonly string[]).includes(value)) fail(path, 'range');
  return value as T;
}

/** A non-empty array of distinct items; `item` checks one entry and returns its identity key. */
function checkList(value: unknown, path: string, item: (v: unknown, p: string) => string | number): void {
  if (value === undefined || value === null) fail(path, 'missing');
  if (!Array.isArray(value)) fail(path, 'type');
  if (value.length === 0) fail(path, 'range');
  const seen = new Set<string | number>();
  value.forEach((v, i) => {
    const p = `${path}[${i}]`;
    const key = item(v, p);
    if (seen.has(key)) fail(p, 'range');
    seen.add(key);
  });
}

const dayNumberItem = (v: unknown, p: string) => checkInteger(v, p, 1, 31);
const monthItem = (v: unknown, p: string) => checkInteger(v, p, 1, 12);
const weekdayItem = (v: unknown, p: string) => checkEnum(v, p, WEEKDAYS);
const parameterizedDayItem = (v: unknown, p: string) => {
  if (v === undefined || v === null) fail(p, 'missing');
  if (!isObject(v)) fail(p, 'type');
  const week = checkEnum(v.week, `${p}.week`, WEEK_ORDINALS);
  const day = checkEnum(v.day, `${p}.day`, WEEKDAYS);
  return `${week} ${day}`;
};

/** Longest each month can be in any year. */
const MAX_MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function checkWeekOptions(value: unknown, path: string): void {
  if (value !== undefined && value !== null && !Array.isArray(value)) fail(path, 'type');
  checkList(value, path, weekdayItem);
}

function checkMonthOptions(value: unknown, path: string): void {
  if (value === undefined || value === null) fail(path, 'missing');
  if (!isObject(value)) fail(path, 'type');
  const format = checkEnum(value.format, `${path}.format`, MONTH_DAY_FORMATS);
  checkList(value.range, `${path}.range`, format === 'dayNumbers' ? dayNumberItem : parameterizedDayItem);
}

function checkYearOptions(value: unknown, path: string): void {
  if (value === undefined || value === null) fail(path, 'missing');
  if (!isObject(value)) fail(path, 'type');
  checkList(value.months, `${path}.months`, monthItem);
  checkList(value.range, `${path}.range`, dayNumberItem);
  const months = value.months as number[];
  const days = value.range as number[];
  if (!months.some((m) => days.some((d) => d <= MAX_MONTH_DAYS[m - 1]!))) fail(`${path}.range`, 'range');
}

function checkRules(rules: unknown): void {
  if (!isObject(rules)) fail('', 'type');

  const time = reqObject(rules, 'time_options', '');
  checkBoolean(time.value.is_all_day, `${time.path}.is_all_day`);
  const from = checkInteger(time.value.date_from, `${time.path}.date_from`, 0, MAX_UNIX_SECONDS);
  const to = checkInteger(time.value.date_to, `${time.path}.date_to`, 0, MAX_UNIX_SECONDS);
  if (from > to) fail(`${time.path}.date_to`, 'range');

  const repeat = reqObject(rules, 'repeat_options', '');
  const enabled = checkBoolean(repeat.value.repeat_enable, `${repeat.path}.repeat_enable`);
  const format = optObject(repeat.value, 'repeat_format', repeat.path);
  if (!format) {
    if (enabled) fail(`${repeat.path}.repeat_format`, 'missing');
    return;
  }

  const repeatType = checkEnum(format.value.repeat_type, `${format.path}.repeat_type`, REPEAT_TYPES);

  const end = optObject(format.value, 'repeat_end', format.path);
  if (end) {
    const endFormat = checkEnum(end.value.format, `${end.path}.format`, REPEAT_END_FORMATS);
    const datePath = `${end.path}.date`;
    const date = end.value.date;
    if (date === undefined || date === null) {
      if (endFormat === 'date') fail(datePath, 'missing');
    } else {
      const endDate = checkInteger(date, datePath, 0, MAX_UNIX_SECONDS);
      if (endFormat === 'date' && endDate < from) fail(datePath, 'range');
    }
  }

  const custom = optObject(format.value, 'repeat_custom', format.path);
  if (!custom) {
    if (repeatType === 'custom') fail(`${format.path}.repeat_custom`, 'missing');
    return;
  }
  const pointType = checkEnum(custom.value.repeat_point_type, `${custom.path}.repeat_point_type`, REPEAT_POINT_TYPES);
  checkInteger(custom.value.repeat_looper, `${custom.path}.repeat_looper`, MIN_REPEAT_LOOPER, MAX_REPEAT_LOOPER);
  const options = custom.value.repeat_options;
  const optionsPath = `${custom.path}.repeat_options`;
  switch (pointType) {
    case 'week':
      checkWeekOptions(options, optionsPath);
      break;
    case 'month':
      checkMonthOptions(options, optionsPath);
      break;
    case 'year':
      checkYearOptions(options, optionsPath);
      break;
    case 'day':
      // Not used; when present it must still be one of the shapes (as the schema says).
      if (options === undefined || options === null) break;
      if (Array.isArray(options)) checkWeekOptions(options, optionsPath);
      else if (isObject(options) && 'format' in options) checkMonthOptions(options, optionsPath);
      else checkYearOptions(options, optionsPath);
      break;
  }
}

/**
 * The semantic checks of a time profile's rules (`{time_options, repeat_options}`, or a whole
 * write body — other properties are ignored). It checks the types too, so it is safe on raw JSON.
 * Returns the first problem found, or null when the rules are valid.
 */
export function validateTimeRules(rules: unknown): TimeRulesProblem | null {
  try {
    checkRules(rules);
    return null;
  } catch (e) {
    if (e instanceof Fail) return e.result;
    throw e;
  }
}

/** validateTimeRules as a type guard. */
export function isValidTimeRules(rules: unknown): rules is TimeProfileRules {
  return validateTimeRules(rules) === null;
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic. "Local seconds" are the wall-clock fields of an instant in the zone, read
// as if they were UTC; "day numbers" count local calendar days from 1970-01-01.
// ---------------------------------------------------------------------------------------------

const DAY = 86400;

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown time zone.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function isUtc(timeZone: string): boolean {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC';
}

function localSeconds(unixSeconds: number, timeZone: string): number {
  if (isUtc(timeZone)) return unixSeconds;
  const fields: Record<string, number> = {};
  let bc = false;
  for (const part of formatterFor(timeZone).formatToParts(new Date(unixSeconds * 1000))) {
    if (part.type === 'era') bc = part.value.startsWith('B');
    else if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = bc ? 1 - fields.year! : fields.year!;
  const d = new Date(0);
  d.setUTCFullYear(year, fields.month! - 1, fields.day!);
  d.setUTCHours(fields.hour! % 24, fields.minute!, fields.second!, 0);
  return d.getTime() / 1000;
}

interface Civil {
  year: number;
  month: number; // 1–12
  day: number;
}

function civilOf(dayNumber: number): Civil {
  const d = new Date(dayNumber * DAY * 1000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function dayNumberOf(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return floorDiv(d.getTime() / 1000, DAY);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : MAX_MONTH_DAYS[month - 1]!;
}

/** 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
function weekdayOf(dayNumber: number): number {
  return mod(dayNumber + 3, 7);
}

/** Monday-based week number. */
function weekOf(dayNumber: number): number {
  return floorDiv(dayNumber + 3, 7);
}

function weekdayIndex(name: Weekday): number {
  return WEEKDAYS.indexOf(name);
}

// ---------------------------------------------------------------------------------------------
// Recurrence patterns: each finds the latest occurrence day in [lo, hi] (lo > first day), or null.
// ---------------------------------------------------------------------------------------------

type Pattern = (first: number, lo: number, hi: number) => number | null;

function everyNDays(n: number): Pattern {
  return (first, lo, hi) => {
    const d = first + floorDiv(hi - first, n) * n;
    return d >= lo ? d : null;
  };
}

function weekdaysEveryNWeeks(n: number, weekdays: readonly Weekday[]): Pattern {
  const wanted = new Set(weekdays.map(weekdayIndex));
  return (first, lo, hi) => {
    const w0 = weekOf(first);
    let w = weekOf(hi);
    w -= mod(w - w0, n);
    for (; w >= w0; w -= n) {
      const monday = w * 7 - 3;
      for (let d = Math.min(hi, monday + 6); d >= Math.max(lo, monday); d--) {
        if (wanted.has(weekdayOf(d))) return d;
      }
      if (monday <= lo) return null;
    }
    return null;
  };
}

/** Occurrence days of one month, as days of the month. */
type MonthDays = (year: number, month: number) => number[];

function listedDays(days: readonly number[]): MonthDays {
  return (year, month) => {
    const dim = daysInMonth(year, month);
    return days.filter((d) => d <= dim);
  };
}

function parameterizedDays(range: readonly ParameterizedDay[]): MonthDays {
  return (year, month) => {
    const dim = daysInMonth(year, month);
    const firstWeekday = weekdayOf(dayNumberOf(year, month, 1));
    const lastWeekday = weekdayOf(dayNumberOf(year, month, dim));
    return range.map(({ week, day }) => {
      const target = weekdayIndex(day);
      if (week === 'last') return dim - mod(lastWeekday - target, 7);
      return 1 + mod(target - firstWeekday, 7) + 7 * WEEK_ORDINALS.indexOf(week);
    });
  };
}

/** Latest day in [lo, hi] among `days` of the given month; `exhausted` when the month starts before lo. */
function latestInMonth(year: number, month: number, days: number[], lo: number, hi: number): number | 'exhausted' | null {
  const base = dayNumberOf(year, month, 1) - 1;
  let best: number | null = null;
  for (const d of days) {
    const n = base + d;
    if (n >= lo && n <= hi && (best === null || n > best)) best = n;
  }
  if (best !== null) return best;
  return base + 1 <= lo ? 'exhausted' : null;
}

function monthsEveryN(n: number, monthDays: MonthDays): Pattern {
  return (first, lo, hi) => {
    const c0 = civilOf(first);
    const ch = civilOf(hi);
    const m0 = c0.year * 12 + c0.month - 1;
    let m = ch.year * 12 + ch.month - 1;
    m -= mod(m - m0, n);
    for (; m >= m0; m -= n) {
      const year = floorDiv(m, 12);
      const month = mod(m, 12) + 1;
      const found = latestInMonth(year, month, monthDays(year, month), lo, hi);
      if (found === 'exhausted') return null;
      if (found !== null) return found;
    }
    return null;
  };
}

function yearsEveryN(n: number, months: readonly number[], days: readonly number[]): Pattern {
  const sortedMonths = [...new Set(months)].sort((a, b) => b - a);
  const inMonth = listedDays(days);
  return (first, lo, hi) => {
    const y0 = civilOf(first).year;
    let y = civilOf(hi).year;
    y -= mod(y - y0, n);
    for (; y >= y0; y -= n) {
      for (const month of sortedMonths) {
        const found = latestInMonth(y, month, inMonth(y, month), lo, hi);
        if (found === 'exhausted') return null;
        if (found !== null) return found;
      }
    }
    return null;
  };
}

function patternOf(format: RepeatFormat, first: number): Pattern | null {
  const start = civilOf(first);
  switch (format.repeat_type) {
    case 'day':
      return everyNDays(1);
    case 'week':
      return everyNDays(7);
    case 'twoWeeks':
      return everyNDays(14);
    case 'month':
      return monthsEveryN(1, listedDays([start.day]));
    case 'year':
      return yearsEveryN(1, [start.month], [start.day]);
    case 'custom': {
      const custom = format.repeat_custom;
      if (!custom) return null;
      const n = custom.repeat_looper;
      const options = custom.repeat_options;
      switch (custom.repeat_point_type) {
        case 'day':
          return everyNDays(n);
        case 'week':
          return Array.isArray(options) ? weekdaysEveryNWeeks(n, options) : null;
        case 'month':
          if (!options || Array.isArray(options) || !('format' in options)) return null;
          return monthsEveryN(
            n,
            options.format === 'dayNumbers' ? listedDays(options.range) : parameterizedDays(options.range),
          );
        case 'year':
          if (!options || Array.isArray(options) || !('months' in options)) return null;
          return yearsEveryN(n, options.months, options.range);
      }
    }
  }
  return null;
}

/**
 * Whether the profile's window is active at instant `at`, with calendar fields taken in `timeZone`
 * (IANA name; throws RangeError for an unknown zone). Expects rules that passed validateTimeRules;
 * an invalid Date is never active. Semantics: see the comment at the top of this file.
 */
export function isActiveAt(rules: TimeProfileRules, at: Date, timeZone = 'UTC'): boolean {
  const ms = at.getTime();
  if (!Number.isFinite(ms)) return false;
  const t = Math.floor(ms / 1000);
  const { is_all_day: allDay, date_from: from, date_to: to } = rules.time_options;

  const fromL = localSeconds(from, timeZone);
  const toL = localSeconds(to, timeZone);
  const tL = localSeconds(t, timeZone);
  const firstDay = floorDiv(fromL, DAY);
  const lastDay = floorDiv(toL, DAY);
  const tDay = floorDiv(tL, DAY);

  // The first occurrence: exactly the given window.
  if (allDay ? tDay >= firstDay && tDay <= lastDay : t >= from && t <= to) return true;

  const format = rules.repeat_options.repeat_enable ? rules.repeat_options.repeat_format : null;
  if (!format) return false;
  const pattern = patternOf(format, firstDay);
  if (!pattern) return false;

  // Window of an occurrence starting on day D: [D + startOffset, D + endOffset] in local seconds
  // (all day: end exclusive).
  const startOffset = allDay ? 0 : fromL - firstDay * DAY;
  const endOffset = allDay ? (lastDay - firstDay + 1) * DAY : toL - firstDay * DAY;

  // Latest day whose occurrence has started by t (and not after the repeat end).
  let hi = floorDiv(tL - startOffset, DAY);
  const end = format.repeat_end;
  if (end && end.format === 'date' && end.date !== undefined && end.date !== null) {
    hi = Math.min(hi, floorDiv(localSeconds(end.date, timeZone) - startOffset, DAY));
  }
  if (hi <= firstDay) return false;

  const day = pattern(firstDay, firstDay + 1, hi);
  if (day === null) return false;
  const endL = day * DAY + endOffset;
  return allDay ? tL < endL : tL <= endL;
}
