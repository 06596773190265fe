/** Time profiles of the panel dialect: access-api.md §5. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  RepeatOptionsSchema,
  TimeOptionsSchema,
  TimeProfileWriteSchema,
  validateTimeRules,
  type TimeProfileRules,
} from '../../directory/time-profiles.ts';
import {
  TIME_PROFILE_LIST_FIELDS,
  type TimeProfile,
  type TimeProfileDirectory,
} from '../../directory/time-profile-directory.ts';
import { checkedBody, checkedBulkBody } from '../checked-body.ts';
import { deleteItemRoute, listRoute } from './item-routes.ts';
import { bulkDeleteRoute } from './bulk-delete.ts';
import { sendBulkResult } from './bulk-json.ts';
import { BulkResult, Empty, Uuid, flatErrors, nullableUuid, pathParams } from './schemas.ts';

export interface TimeProfileRouteOptions {
  profiles: TimeProfileDirectory;
  maxBulkItems: number;
}

const TimeProfileView = Type.Object({
  uid: Type.Integer(),
  link_id: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  time_options: TimeOptionsSchema,
  repeat_options: RepeatOptionsSchema,
});

export function timeProfileView(profile: TimeProfile): Static<typeof TimeProfileView> {
  return { uid: profile.id, link_id: profile.linkId, name: profile.name, ...profile.rules };
}

const Name = Type.String({ minLength: 1, maxLength: 100 });
/** What Ajv checks before validateTimeRules checks the rules with precise paths. */
const WriteStructure = Type.Object({ name: Name, link_id: Type.Optional(nullableUuid) });
const BulkItem = Type.Object({ link_id: Uuid, name: Name, time_options: TimeOptionsSchema, repeat_options: RepeatOptionsSchema });
const BulkItemStructure = Type.Object({ link_id: Uuid, name: Name });

const RULES_DESCRIPTION =
  'Rules: see the schema. `date_from ≤ date_to` (unix seconds); `repeat_format` is required when `repeat_enable` is true, ' +
  '`repeat_custom` when `repeat_type` is custom; blocks that are present are checked even when not in effect. ' +
  'Profiles are evaluated in the server time zone (GATEHOUSE_TIMEZONE, default UTC). Unknown properties are dropped; ' +
  'custom options a `repeat_point_type` does not use (e.g. for `day`) are not stored.';

export const timeProfileRoutes: FastifyPluginAsyncTypebox<TimeProfileRouteOptions> = async (app, { profiles, maxBulkItems }) => {
  const tags = ['Time profiles'];
  const Params = pathParams('uid');
  const single = checkedBody(WriteStructure, validateTimeRules);
  const writeOf = (body: Static<typeof TimeProfileWriteSchema>) => ({
    name: body.name,
    linkId: body.link_id,
    rules: body as TimeProfileRules,
  });

  app.post(
    '/access/timeprofile',
    {
      validatorCompiler: single,
      schema: {
        tags,
        summary: 'Create a time profile',
        description: `${RULES_DESCRIPTION} A rule that breaks the bounds is a 400 naming the field. A \`link_id\` another profile has: 400 \`Time profile with that link_id already exist\`.`,
        body: TimeProfileWriteSchema,
        response: { 200: Type.Object({ uid: Type.Integer() }), ...flatErrors },
      },
    },
    async (request) => ({ uid: await profiles.create(writeOf(request.body)) }),
  );

  app.get(
    '/access/timeprofile/item/:uid',
    { schema: { tags, summary: 'Read a time profile', params: Params, response: { 200: TimeProfileView, ...flatErrors } } },
    async (request) => timeProfileView(await profiles.get(request.params.uid)),
  );

  app.patch(
    '/access/timeprofile/item/:uid',
    {
      validatorCompiler: single,
      schema: {
        tags,
        summary: 'Replace a time profile',
        description: `The whole profile is replaced (same body as create). Without \`link_id\` the profile keeps its link_id; \`null\` removes it. ${RULES_DESCRIPTION}`,
        params: Params,
        body: TimeProfileWriteSchema,
        response: { 200: Empty, ...flatErrors },
      },
    },
    async (request) => {
      await profiles.replace(request.params.uid, writeOf(request.body));
      return {};
    },
  );

  deleteItemRoute(app, {
    url: '/access/timeprofile/item/:uid',
    param: 'uid',
    tags,
    summary: 'Delete a time profile',
    description: 'Users and identifiers it was attached to lose it.',
    run: (id) => profiles.delete(id),
  });

  listRoute(app, {
    url: '/access/timeprofile/items',
    tags,
    summary: 'List time profiles',
    fields: TIME_PROFILE_LIST_FIELDS,
    item: TimeProfileView,
    list: (spec) => profiles.list(spec),
    view: timeProfileView,
  });

  app.post(
    '/access/timeprofile/items/link',
    {
      validatorCompiler: checkedBulkBody({
        maxItems: maxBulkItems,
        item: BulkItemStructure,
        // Structure (a missing or mistyped field) fails the request; rules out of bounds fail their item.
        check: (item) => {
          const problem = validateTimeRules(item);
          return problem && problem.problem !== 'range' ? problem : null;
        },
      }),
      schema: {
        tags,
        summary: 'Create/update time profiles by link_id',
        description: [
          'Items are applied in order in one transaction: a profile with this link_id is updated (`updated`), else one is created (`created`).',
          'A missing field or a value of the wrong JSON type anywhere in an item fails the whole request with a 400 naming it (nothing is applied);',
          'rules that break their bounds (a range, an enum, date_from > date_to, a duplicate weekday, …) fail only their item:',
          '`invalid_time_rules_settings`, success false. `has_dublicates` is always false here.',
          RULES_DESCRIPTION,
        ].join(' '),
        body: Type.Object({ list_items: Type.Array(BulkItem, { minItems: 1, maxItems: maxBulkItems }) }),
        response: { 200: BulkResult, ...flatErrors },
      },
    },
    async (request, reply) =>
      sendBulkResult(
        reply,
        await profiles.bulkUpsertByLinkId(
          request.body.list_items.map((item) => ({
            linkId: item.link_id,
            name: item.name,
            rules: validateTimeRules(item) ? null : (item as TimeProfileRules),
          })),
        ),
      ),
  );

  bulkDeleteRoute(app, {
    paths: [
      ['POST', '/access/timeprofile/link/delete'],
      ['DELETE', '/access/timeprofile/items/link'],
    ],
    tags,
    summary: 'Delete time profiles by link_id',
    maxItems: maxBulkItems,
    handler: (linkIds) => profiles.bulkDeleteByLinkId(linkIds),
  });
};
