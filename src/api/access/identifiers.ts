/** Identifiers of the panel dialect: access-api.md §4. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IDENTIFIER_LIST_FIELDS, type IdentifierDirectory } from '../../directory/identifier-directory.ts';
import {
  IDENTIFIER_TYPES,
  IDENTIFIER_TYPE_NAMES,
  LOCKS,
  MAX_OWNER_NAME_LENGTH,
  MAX_PASSES,
  MAX_UNIX_SECONDS,
  OWNER_TYPES,
  canonicalType,
  checkIdentifierWrite,
  type Identifier,
  type IdentifierTypeName,
  type IdentifierWrite,
  type Lock,
  type OwnerType,
} from '../../directory/identifiers.ts';
import { checkedBody, checkedBulkBody } from '../checked-body.ts';
import { bulkDeleteRoute } from './bulk-delete.ts';
import { sendBulkResult } from './bulk-json.ts';
import { deleteItemRoute, listRoute } from './item-routes.ts';
import { BulkResult, Empty, Uuid, flatErrors, nullableUuid, pathParams } from './schemas.ts';

export interface IdentifierRouteOptions {
  identifiers: IdentifierDirectory;
  maxBulkItems: number;
}

const stringEnum = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const UnixSeconds = Type.Integer({ minimum: 0, maximum: MAX_UNIX_SECONDS, description: 'Unix seconds' });

const Owner = Type.Object({
  name: Type.String({ maxLength: MAX_OWNER_NAME_LENGTH }),
  type: stringEnum<OwnerType>(OWNER_TYPES),
});

const Valid = Type.Object({
  time: Type.Optional(
    Type.Object(
      { is_permanent: Type.Boolean(), from: Type.Optional(nullable(UnixSeconds)), to: Type.Optional(nullable(UnixSeconds)) },
      { description: 'Not permanent: valid from `from` to `to` inclusive (both required, from ≤ to). Absent: permanent.' },
    ),
  ),
  passes: Type.Optional(
    Type.Object(
      { is_permanent: Type.Boolean(), max_passes: Type.Optional(nullable(Type.Integer({ minimum: 1, maximum: MAX_PASSES }))) },
      { description: 'Not permanent: `max_passes` grants, then refused. Absent: permanent.' },
    ),
  ),
});

const NUMBER_FORMATS =
  'card, ukey: 1–10 decimal digits (leading zeros ignored when comparing) or 2–8 hex bytes separated by `:` or `-` (case and separator ignored); ' +
  'inputCode (`input_code` accepted): 1–16 decimal digits, compared exactly; qr: a UUID (case ignored); ' +
  'license_plate: 1–100 characters, compared ignoring case and spaces; face_id: the descriptor (base64 of 128 float32), ' +
  'computed from `face_image` when it is given, whatever this field says.';

const WriteProps = {
  identifier_owner: Type.Optional(Owner),
  identifier_type: stringEnum<IdentifierTypeName>(IDENTIFIER_TYPE_NAMES),
  identifier_number: Type.Optional(nullable(Type.String({ description: NUMBER_FORMATS }))),
  lock: stringEnum<Lock>(LOCKS, 'first: lock 1, second: lock 2, all: both'),
  valid: Type.Optional(Valid),
  apartment_link_id: Type.Optional(nullableUuid),
  time_profiles: Type.Optional(Type.Object({ link_ids: Type.Array(Uuid, { maxItems: 1000 }) })),
  face_image: Type.Optional(nullable(Type.String({ description: 'face_id: a JPEG, base64, 320×240 … 5120×2700 px, with one face' }))),
};
const Write = Type.Object({ ...WriteProps, link_id: Type.Optional(nullableUuid) });
const BulkItem = Type.Object({ link_id: Uuid, ...WriteProps });
type WriteBody = Static<typeof Write> | Static<typeof BulkItem>;

export const IdentifierView = Type.Object({
  uid: Type.Integer(),
  link_id: Type.Union([Type.String(), Type.Null()]),
  user_uid: Type.Union([Type.Integer(), Type.Null()], { description: 'The user it is bound to, or null' }),
  identifier_owner: Owner,
  identifier_type: stringEnum(IDENTIFIER_TYPES),
  identifier_number: Type.String(),
  lock: stringEnum(LOCKS),
  valid: Type.Object({
    time: Type.Object({ is_permanent: Type.Boolean(), from: nullable(Type.Integer()), to: nullable(Type.Integer()) }),
    passes: Type.Object({
      is_permanent: Type.Boolean(),
      max_passes: nullable(Type.Integer()),
      used: Type.Integer({ description: 'Passes granted since the pass limit was last set' }),
    }),
  }),
  apartment_link_id: Type.Union([Type.String(), Type.Null()]),
  time_profiles: Type.Object({ link_ids: Type.Array(Type.String()) }),
});

export function identifierView(identifier: Identifier): Static<typeof IdentifierView> {
  return {
    uid: identifier.id,
    link_id: identifier.linkId,
    user_uid: identifier.userId,
    identifier_owner: identifier.owner,
    identifier_type: identifier.type,
    identifier_number: identifier.number,
    lock: identifier.lock,
    valid: { time: identifier.valid.time, passes: { ...identifier.valid.passes, used: identifier.passesUsed } },
    apartment_link_id: identifier.apartmentLinkId,
    time_profiles: { link_ids: identifier.timeProfileLinkIds },
  };
}

function writeOf(body: WriteBody): IdentifierWrite {
  const type = canonicalType(body.identifier_type);
  const time = body.valid?.time;
  const passes = body.valid?.passes;
  return {
    owner: body.identifier_owner ?? { name: '', type: 'owner' },
    type,
    number: body.identifier_number ?? undefined,
    faceImage: type === 'face_id' ? (body.face_image ?? undefined) : undefined,
    lock: body.lock,
    valid: {
      time: { is_permanent: time?.is_permanent ?? true, from: time?.from ?? null, to: time?.to ?? null },
      passes: { is_permanent: passes?.is_permanent ?? true, max_passes: passes?.max_passes ?? null },
    },
    linkId: body.link_id,
    apartmentLinkId: body.apartment_link_id,
    timeProfileLinkIds: body.time_profiles?.link_ids,
  };
}

const WRITE_RULES = [
  `Numbers: ${NUMBER_FORMATS}`,
  'Type + number is unique.',
  'Optional fields: `identifier_owner` (default `{"name":"","type":"owner"}`), `valid` (default permanent time and passes).',
  '`link_id`, `apartment_link_id` and `time_profiles` keep their current value when absent (none on create); null or an empty list removes them.',
  'Rewriting an identifier with the same pass limit keeps the passes used; a new limit starts again from zero.',
  'The face photo is not stored: only its descriptor.',
].join(' ');

const SINGLE_ERRORS = [
  'Errors (400): `Identifier with that type and number already exist`; `Identifier with that link_id already exist`;',
  'a link_id in `apartment_link_id` or `time_profiles.link_ids` that names nothing: ``Wrong JSON body: value `time_profiles.link_ids[0]` is out of range``;',
  '`Bad base64 image file` (not base64 or not a JPEG), `Face has not recognized` (no face, or outside 320×240 … 5120×2700 px),',
  '`Face ID is not supported` (GATEHOUSE_FACE_RECOGNITION=off), `Number of identifiers exceeded`, `Number of face identifiers exceeded`.',
].join(' ');

export const identifierRoutes: FastifyPluginAsyncTypebox<IdentifierRouteOptions> = async (app, { identifiers, maxBulkItems }) => {
  const tags = ['Identifiers'];
  const Params = pathParams('identifier_uid');
  const single = checkedBody(Write, checkIdentifierWrite);

  app.post(
    '/access/identifier',
    {
      validatorCompiler: single,
      schema: {
        tags,
        summary: 'Create an identifier',
        description: `${WRITE_RULES} ${SINGLE_ERRORS}`,
        body: Write,
        response: { 200: Type.Object({ uid: Type.Integer() }), ...flatErrors },
      },
    },
    async (request) => ({ uid: await identifiers.create(writeOf(request.body)) }),
  );

  app.get(
    '/access/identifier/item/:identifier_uid',
    { schema: { tags, summary: 'Read an identifier', params: Params, response: { 200: IdentifierView, ...flatErrors } } },
    async (request) => identifierView(await identifiers.get(request.params.identifier_uid)),
  );

  app.patch(
    '/access/identifier/item/:identifier_uid',
    {
      validatorCompiler: single,
      schema: {
        tags,
        summary: 'Replace an identifier',
        description: `The same body as create replaces the identifier (its user binding stays). A face identifier needs \`face_image\` or its descriptor in \`identifier_number\`. ${WRITE_RULES} ${SINGLE_ERRORS}`,
        params: Params,
        body: Write,
        response: { 200: Empty, ...flatErrors },
      },
    },
    async (request) => {
      await identifiers.replace(request.params.identifier_uid, writeOf(request.body));
      return {};
    },
  );

  deleteItemRoute(app, {
    url: '/access/identifier/item/:identifier_uid',
    param: 'identifier_uid',
    tags,
    summary: 'Delete an identifier',
    run: (id) => identifiers.delete(id),
  });

  listRoute(app, {
    url: '/access/identifier/items',
    tags,
    summary: 'List identifiers',
    fields: IDENTIFIER_LIST_FIELDS,
    item: IdentifierView,
    list: (spec) => identifiers.list(spec),
    view: identifierView,
  });

  app.post(
    '/access/identifier/items/link',
    {
      validatorCompiler: checkedBulkBody({ maxItems: maxBulkItems, item: BulkItem, check: checkIdentifierWrite }),
      schema: {
        tags,
        summary: 'Create/update identifiers by link_id',
        description: [
          'The whole body is checked first (a number that does not fit its type is a 400 naming the item); then items are applied in order in one transaction.',
          'Matching: the identifier with this link_id is updated (`updated`); else an identifier with the same type and number and no link_id takes',
          'this link_id (`updated`); else one is created (`created`). Per-item failures (success false, nothing of the item applied):',
          '`number_taken_by_another_identifier`, `bad_base_64_image_file`, `face_has_not_recognized`, `face_id_not_supported`,',
          '`number_of_identifiers_exceeded`, `number_of_face_identifiers_exceeded`. Links that name nothing are skipped',
          '(`bound_time_profile_doesnt_exist`, then `bound_apartment_doesnt_exist`; success true; a missing apartment leaves the identifier without one).',
          '`has_dublicates` is always false here.',
          WRITE_RULES,
        ].join(' '),
        body: Type.Object({ list_items: Type.Array(BulkItem, { minItems: 1, maxItems: maxBulkItems }) }),
        response: { 200: BulkResult, ...flatErrors },
      },
    },
    async (request, reply) =>
      sendBulkResult(reply, await identifiers.bulkUpsertByLinkId(request.body.list_items.map((item) => ({ ...writeOf(item), linkId: item.link_id })))),
  );

  bulkDeleteRoute(app, {
    paths: [
      ['DELETE', '/access/identifier/items/link'],
      ['POST', '/access/identifier/link/delete'],
    ],
    tags,
    summary: 'Delete identifiers by link_id',
    maxItems: maxBulkItems,
    handler: (linkIds) => identifiers.bulkDeleteByLinkId(linkIds),
  });
};
