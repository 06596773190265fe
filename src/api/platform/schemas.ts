/** TypeBox schemas of the platform dialect (platform-api.md §3–6), shared by its routes. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Text = (max: number, description?: string) => Type.String({ maxLength: max, ...(description ? { description } : {}) });
const NullableText = (max: number, description?: string) => Type.Union([Text(max), Type.Null()], description ? { description } : {});

export const UNSET_DATE = '1900-01-01T00:00:00Z';

/** The last page a list may ask for: its offset at the largest PageSize is still a safe integer. */
export const MAX_PAGE = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/** `FieldType`: a related record by one of its key fields. */
export const FieldType = Type.Object(
  {
    Field: Type.Optional(Text(100, 'A key field of the related entity (default Id)')),
    Value: Type.Optional(Text(1000, 'Required unless Id is given')),
    Id: Type.Optional(Type.Union([Text(1000), Type.Integer()], { description: 'Accepted instead of Field/Value, as in a returned AbstractText/AbstractLong' })),
  },
  { description: 'FieldType `{"Field":"ExternalId","Value":"S100"}`; a returned AbstractText (`{"Id":…}`) is accepted too' },
);
export type FieldType = Static<typeof FieldType>;

export const AbstractText = Type.Object(
  {
    Id: Type.String(),
    ExternalId: Type.Union([Type.String(), Type.Null()]),
    Name: Type.Union([Type.String(), Type.Null()]),
    Type: Type.String(),
  },
  { description: 'A foreign key with a text Id' },
);
export type AbstractText = Static<typeof AbstractText>;

/** Path `{Id}`: a value, or `base64|…` of one. */
export const IdParams = Type.Object({ Id: Type.String({ minLength: 1, maxLength: 4000 }) });
export const SubIdParams = Type.Object({ Id: Type.String({ minLength: 1, maxLength: 4000 }), SubId: Type.String({ minLength: 1, maxLength: 4000 }) });

export const NameQuery = Type.Object({
  Name: Type.Optional(Text(100, 'The field `{Id}` is matched against (default Id)')),
});

export const ListQueryProps = {
  Fields: Type.Optional(Text(4000, 'Comma list of fields to return; empty or * = all')),
  Filters: Type.Optional(Text(4000, 'e.g. `(Name = My Department) AND (CreatedOn > 2021-01-01)`')),
  Orders: Type.Optional(Text(4000, 'e.g. `Name DESC, CreatedOn ASC`; unset values sort after every value (first with DESC)')),
  // Any page whose offset (page × PageSize) is a safe integer: a page past the end is an empty Data.
  CurrentPage: Type.Integer({ minimum: 0, maximum: MAX_PAGE, default: 1, description: '0 and 1 both mean the first page; a page past the end has no Data' }),
  PageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
};
export const ListQuery = Type.Object(ListQueryProps);
export type ListQuery = Static<typeof ListQuery>;

export const Meta = Type.Object({
  TotalItems: Type.Integer(),
  CurrentPage: Type.Integer(),
  PageSize: Type.Integer(),
  Type: Type.String(),
});

export function listOf<T extends TSchema>(item: T) {
  return Type.Object({ Meta, Data: Type.Array(item) });
}

/** A response record: `Fields` may leave any property out. */
const Partial = <T extends Record<string, TSchema>>(props: T) => Type.Partial(Type.Object(props));

export const Department = Partial({
  Id: Type.String({ format: 'uuid' }),
  ExternalId: Type.Union([Type.String(), Type.Null()]),
  Name: Type.String(),
  DepartmentTypeId: AbstractText,
  ParentDepartmentId: Type.Union([AbstractText, Type.Null()]),
  ContactName: Type.Union([Type.String(), Type.Null()]),
  ContactEmail: Type.Union([Type.String(), Type.Null()]),
  ContactPhone: Type.Union([Type.String(), Type.Null()]),
  Is_Active: Type.Boolean(),
  CreatedOn: Type.String({ format: 'date-time' }),
  CreatedBy: AbstractText,
  ModifiedOn: Type.String({ format: 'date-time' }),
  ModifiedBy: AbstractText,
});

export const DepartmentType = Type.Union([Type.Literal('Internal'), Type.Literal('External')]);

export const DepartmentBody = Type.Object(
  {
    Id: Type.Optional(
      Type.String({ format: 'uuid', 'x-lowercase': true, description: 'Create: the new Id (default: generated; either case, kept in lower case). PATCH: the department to update.' }),
    ),
    ExternalId: Type.Optional(NullableText(255, 'Unique when set; empty or null = unset')),
    Name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Required to create' })),
    DepartmentTypeId: Type.Optional(
      Type.Union([DepartmentType, Type.Object({ Id: DepartmentType })], { description: '`Internal` (default) or `External`' }),
    ),
    ParentDepartmentId: Type.Optional(Type.Union([FieldType, Type.Null()], { description: 'FieldType; null clears it' })),
    ContactName: Type.Optional(NullableText(255)),
    ContactEmail: Type.Optional(NullableText(255)),
    ContactPhone: Type.Optional(NullableText(64)),
    Is_Active: Type.Optional(Type.Boolean({ description: 'Default true' })),
  },
  { description: 'Fields left out stay as they are (on create: their defaults); null clears a field. Returned-only fields are ignored.' },
);
export type DepartmentBody = Static<typeof DepartmentBody>;

export const User = Partial({
  Id: Type.Integer(),
  Name: Type.String(),
  Username: Type.Union([Type.String(), Type.Null()]),
  Email: Type.Union([Type.String(), Type.Null()]),
  MobilePhone: Type.Union([Type.String(), Type.Null()]),
  External_Id: Type.Union([Type.String(), Type.Null()]),
  Creation_Date: Type.String({ format: 'date-time' }),
  Last_Login: Type.String({ format: 'date-time', description: `${UNSET_DATE} when never` }),
  Is_Active: Type.Boolean(),
  DepartmentId: AbstractText,
});

/** The user fields both upserts write (§5.1); values are kept as given. */
export const UserFieldProps = {
  Name: Type.Optional(Type.String({ maxLength: 1000, description: 'Required to create a user' })),
  Username: Type.Optional(NullableText(1000, 'Unique without regard to case; empty or null = unset')),
  Email: Type.Optional(NullableText(1000)),
  MobilePhone: Type.Optional(NullableText(1000)),
  External_Id: Type.Optional(NullableText(1000, 'Unique when set; empty or null = unset')),
  Is_Active: Type.Optional(Type.Boolean({ description: 'Default true for a new user' })),
};

export const UserPost = Type.Object({
  Id: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'The user to update (not found: 404)' })),
  UserId: Type.Optional(FieldType),
  ...UserFieldProps,
});
export type UserPost = Static<typeof UserPost>;

export const ListValidation = Type.Object({
  Name: Text(100, 'A field of UserText'),
  FieldName: Type.Optional(NullableText(100, 'For UserId: the user key field its values refer to (default Id)')),
  Required: Type.Optional(Type.Boolean()),
  Unique: Type.Optional(Type.Boolean()),
  Min: Type.Optional(NullableText(100)),
  Max: Type.Optional(NullableText(100)),
  Pattern: Type.Optional(NullableText(1000)),
  DefaultValue: Type.Optional(NullableText(1000)),
});

export const UserText = Type.Object({
  Id: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 20 }), Type.Null()])),
  UserId: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Integer(), Type.Null()])),
  ...UserFieldProps,
});
export type UserText = Static<typeof UserText>;
