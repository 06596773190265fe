/** TypeBox schemas of the panel dialect shared by several routes. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AUTH_FACTORS, type AuthFactor, type LockNumber } from '../../directory/users.ts';

/** `{"error":"…"}` */
export const FlatError = Type.Object({ error: Type.String() }, { description: 'Flat error body (access-api.md §2)' });

/** `{"error":{"code","message","data"}}` */
export const NestedError = Type.Object(
  {
    error: Type.Object({
      code: Type.String({
        enum: ['invalid_authentication', 'permission_denied', 'not_valid', 'system_error', 'bad_request', 'connection_timeout'],
      }),
      message: Type.String(),
      data: Type.Optional(Type.Record(Type.String(), Type.String())),
    }),
  },
  { description: 'Nested error body of the bulk deletes (access-api.md §2)' },
);

export const flatErrors = {
  400: FlatError,
  401: FlatError,
  403: FlatError,
  404: FlatError,
  413: FlatError,
  500: FlatError,
};

export const nestedErrors = {
  400: NestedError,
  401: NestedError,
  403: NestedError,
  413: NestedError,
  500: NestedError,
};

/** A link_id: kept in lower case, so that the same UUID in another case names the same record. */
export const Uuid = Type.String({ format: 'uuid', maxLength: 36, 'x-lowercase': true, description: 'A UUID in either case; kept and returned in lower case' });
export const nullableUuid = Type.Union([Uuid, Type.Null()]);

/** A path uid: a positive integer that fits the stores' integer columns. */
export const Uid = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });

export function pathParams<K extends string>(...names: K[]) {
  return Type.Object(Object.fromEntries(names.map((n) => [n, Uid])) as Record<K, typeof Uid>);
}

export const AuthFactorName = Type.Unsafe<AuthFactor>({ type: 'string', enum: [...AUTH_FACTORS] });

/** An auth factor as a string (`"card"`) or as an object (`{"type":"card"}`). */
export const AuthFactorInput = Type.Union([AuthFactorName, Type.Object({ type: AuthFactorName })]);
export type AuthFactorInput = Static<typeof AuthFactorInput>;

export function authFactorNames(list: readonly AuthFactorInput[]): AuthFactor[] {
  return list.map((f) => (typeof f === 'string' ? f : f.type));
}

export const UserFieldsProps = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  info: Type.String({ maxLength: 255 }),
  auth_factors: Type.Array(AuthFactorInput, {
    minItems: 1,
    maxItems: 64,
    description: 'Non-empty set of factors, as strings or `{"type":…}` objects; returned as strings',
  }),
  lock_number: Type.Unsafe<LockNumber>(Type.Integer({ minimum: 0, maximum: 2, description: '0 both locks, 1 first, 2 second' })),
  is_custom_user_access: Type.Boolean({ description: 'All listed factors must be presented together' }),
};

export const UserFields = Type.Object(UserFieldsProps);
export type UserFields = Static<typeof UserFields>;

export const LinkIdList = Type.Object({ link_ids: Type.Array(Uuid, { maxItems: 10_000 }) });

export const BulkResult = Type.Object({
  result: Type.Array(
    Type.Object({
      link_id: Type.String(),
      success: Type.Boolean(),
      extended_info: Type.String(),
      has_dublicates: Type.Optional(Type.Boolean()),
    }),
  ),
});

export const Empty = Type.Object({});

export function listOf<T extends TSchema>(item: T) {
  return Type.Object({ list_items: Type.Array(item) });
}
