/**
 * The user fields the platform writes (`UserText` of §5.2, the body of §5.1), their text form for
 * the `Extra` rules, and the full check (`IsFullValidation`): type, format and length.
 */

export const USER_TEXT_FIELDS = ['Id', 'UserId', 'Name', 'Username', 'Email', 'MobilePhone', 'External_Id', 'Is_Active'] as const;
export type UserTextField = (typeof USER_TEXT_FIELDS)[number];

/** The writable user fields (all but the keys Id and UserId). */
export interface UserFields {
  name?: string;
  username?: string | null;
  email?: string | null;
  mobilePhone?: string | null;
  externalId?: string | null;
  isActive?: boolean;
}

export type FieldProperty = keyof UserFields;

export const PROPERTY_OF: Record<Exclude<UserTextField, 'Id' | 'UserId'>, FieldProperty> = {
  Name: 'name',
  Username: 'username',
  Email: 'email',
  MobilePhone: 'mobilePhone',
  External_Id: 'externalId',
  Is_Active: 'isActive',
};

/** Case-insensitive lookup of a UserText field name. */
export function userTextField(name: string): UserTextField | undefined {
  const wanted = name.trim().toLowerCase();
  return USER_TEXT_FIELDS.find((f) => f.toLowerCase() === wanted);
}

/** `value` as text for the rules; '' when unset. */
export function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

/** A DefaultValue as the field's value; undefined when it does not fit the field's type ("cleaned"). */
export function fromDefault(field: UserTextField, text: string): string | number | boolean | undefined {
  if (field === 'Is_Active') {
    const v = text.trim().toLowerCase();
    return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : undefined;
  }
  if (field === 'Id') return /^\d{1,10}$/.test(text.trim()) ? Number(text.trim()) : undefined;
  return text;
}

const FORMATS: Partial<Record<UserTextField, { max: number; pattern?: RegExp; what?: string }>> = {
  Name: { max: 100 },
  Username: { max: 100, pattern: /^\S+$/, what: 'a login name without spaces' },
  Email: { max: 254, pattern: /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/, what: 'an e-mail address' },
  MobilePhone: { max: 32, pattern: /^\+?[0-9][0-9 ()./-]{2,31}$/, what: 'a phone number (digits, optionally +, spaces, ( ) . / -)' },
  External_Id: { max: 255 },
};

/** The full check of one set value (`IsFullValidation`): a message, or undefined when it is fine. */
export function formatProblem(field: UserTextField, value: string): string | undefined {
  const format = FORMATS[field];
  if (!format) return undefined;
  if ([...value].length > format.max) return `must be at most ${format.max} characters long`;
  if (field === 'Name' && value.trim() === '') return 'must not be blank';
  if (format.pattern && !format.pattern.test(value)) return `must be ${format.what}`;
  return undefined;
}
