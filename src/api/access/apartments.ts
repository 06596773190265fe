/** Apartments of the panel dialect: access-api.md §5. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { APARTMENT_LIST_FIELDS, type Apartment, type ApartmentDirectory, type ApartmentWrite } from '../../directory/apartment-directory.ts';
import { bulkDeleteRoute } from './bulk-delete.ts';
import { sendBulkResult } from './bulk-json.ts';
import { deleteItemRoute, listRoute } from './item-routes.ts';
import { BulkResult, Empty, Uuid, flatErrors, nullableUuid, pathParams } from './schemas.ts';

export interface ApartmentRouteOptions {
  apartments: ApartmentDirectory;
  maxBulkItems: number;
}

const Address = Type.Object(
  {
    building: Type.Integer({ minimum: 1, maximum: 9999 }),
    unit: Type.Integer({ minimum: 0, maximum: 99 }),
    floor: Type.Integer({ minimum: 0, maximum: 98 }),
    room: Type.Integer({ minimum: 0, maximum: 99 }),
  },
  { description: 'Logical address; unique among apartments' },
);
const ApartmentName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^\\S(?:[\\s\\S]*\\S)?$',
  description: '1–100 characters, no leading or trailing spaces',
});
const Residents = Type.Object(
  { count: Type.Integer({ minimum: 0, maximum: 10_000 }) },
  { description: 'Declared number of residents (0–10000); without it a write keeps the current count (0 on create)' },
);

const WriteProps = {
  apartment_address: Address,
  apartment_name: ApartmentName,
  residents: Type.Optional(Residents),
};
const Write = Type.Object({ ...WriteProps, link_id: Type.Optional(nullableUuid) });
const BulkItem = Type.Object({ link_id: Uuid, ...WriteProps });

const ApartmentView = Type.Object({
  uid: Type.Integer(),
  link_id: Type.Union([Type.String(), Type.Null()]),
  apartment_name: Type.String(),
  apartment_address: Address,
  residents: Type.Object({ count: Type.Integer() }),
});

function view(apartment: Apartment): Static<typeof ApartmentView> {
  return {
    uid: apartment.id,
    link_id: apartment.linkId,
    apartment_name: apartment.name,
    apartment_address: apartment.address,
    residents: { count: apartment.residentsCount },
  };
}

function writeOf(body: Static<typeof Write> | Static<typeof BulkItem>): ApartmentWrite {
  return {
    name: body.apartment_name,
    address: body.apartment_address,
    residentsCount: body.residents?.count,
    linkId: body.link_id,
  };
}

const CONFLICT = '400 `Apartment with that Logical Address already exist` when another apartment has the address; `Apartment with that link_id already exist` likewise.';

export const apartmentRoutes: FastifyPluginAsyncTypebox<ApartmentRouteOptions> = async (app, { apartments, maxBulkItems }) => {
  const tags = ['Apartments'];
  const Params = pathParams('uid');

  app.post(
    '/apartment/item',
    {
      schema: {
        tags,
        summary: 'Create an apartment',
        description: CONFLICT,
        body: Write,
        response: { 200: Type.Object({ uid: Type.Integer() }), ...flatErrors },
      },
    },
    async (request) => ({ uid: await apartments.create(writeOf(request.body)) }),
  );

  app.get(
    '/apartment/item/:uid',
    { schema: { tags, summary: 'Read an apartment', params: Params, response: { 200: ApartmentView, ...flatErrors } } },
    async (request) => view(await apartments.get(request.params.uid)),
  );

  app.patch(
    '/apartment/item/:uid',
    {
      schema: {
        tags,
        summary: 'Replace an apartment',
        description: `Same body as create. Without \`link_id\` (or \`residents\`) the current value is kept; \`"link_id": null\` removes it. ${CONFLICT}`,
        params: Params,
        body: Write,
        response: { 200: Empty, ...flatErrors },
      },
    },
    async (request) => {
      await apartments.replace(request.params.uid, writeOf(request.body));
      return {};
    },
  );

  deleteItemRoute(app, {
    url: '/apartment/item/:uid',
    param: 'uid',
    tags,
    summary: 'Delete an apartment',
    description: 'Its users leave it; identifiers that named it keep existing without an apartment.',
    run: (id) => apartments.delete(id),
  });

  listRoute(app, {
    url: '/apartment/items',
    tags,
    summary: 'List apartments',
    fields: APARTMENT_LIST_FIELDS,
    item: ApartmentView,
    list: (spec) => apartments.list(spec),
    view,
  });

  app.post(
    '/apartment/items/link',
    {
      schema: {
        tags,
        summary: 'Create/update apartments by link_id',
        description: [
          'Items are applied in order in one transaction: the apartment with this link_id is updated (`updated`);',
          'else an apartment at the same address that has no link_id takes this link_id (`updated`); else one is created (`created`).',
          'An address that another apartment with a link_id holds at that point fails the whole request, nothing applied:',
          '400 ``Apartment with that Logical Address already exist: `list_items[N].apartment_address` ``. `has_dublicates` is always false here.',
        ].join(' '),
        body: Type.Object({ list_items: Type.Array(BulkItem, { minItems: 1, maxItems: maxBulkItems }) }),
        response: { 200: BulkResult, ...flatErrors },
      },
    },
    async (request, reply) =>
      sendBulkResult(reply, await apartments.bulkUpsertByLinkId(request.body.list_items.map((item) => ({ ...writeOf(item), linkId: item.link_id })))),
  );

  bulkDeleteRoute(app, {
    paths: [
      ['DELETE', '/apartment/items/link'],
      ['POST', '/apartment/link/delete'],
    ],
    tags,
    summary: 'Delete apartments by link_id',
    maxItems: maxBulkItems,
    handler: (linkIds) => apartments.bulkDeleteByLinkId(linkIds),
  });
};
