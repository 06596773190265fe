/** Links between users and access objects: access-api.md §3 U9–U11, and the relations GET user shows. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccessLinks } from '../../directory/access-links.ts';
import { identifierView } from './identifiers.ts';
import { Empty, flatErrors, pathParams } from './schemas.ts';
import type { UsersRouteOptions } from './users.ts';

export interface LinkRouteOptions {
  links: AccessLinks;
}

/** The `relations` of GET user: identifiers in their §4 view, time profiles and apartments as `{uid, link_id, name}`. */
export function userRelations(links: AccessLinks): NonNullable<UsersRouteOptions['relations']> {
  return async (userIds) => {
    const found = await links.relations(userIds);
    return new Map(
      [...found].map(([id, r]) => [
        id,
        { identifiers: r.identifiers.map(identifierView), time_profiles: r.timeProfiles, apartments: r.apartments },
      ]),
    );
  };
}

type Handler = (a: number, b: number) => Promise<void>;

export const linkRoutes: FastifyPluginAsyncTypebox<LinkRouteOptions> = async (app, { links }) => {
  const tags = ['Links'];

  function pair(
    url: string,
    names: [string, string],
    attach: { summary: string; description: string; run: Handler },
    detach: { summary: string; description: string; run: Handler },
  ) {
    const params = pathParams(...names);
    for (const [method, op] of [
      ['POST', attach],
      ['DELETE', detach],
    ] as const) {
      app.route<{ Params: Record<string, number> }>({
        method,
        url,
        schema: { tags, summary: op.summary, description: op.description, params, response: { 200: Empty, ...flatErrors } },
        handler: async (request) => {
          await op.run(request.params[names[0]], request.params[names[1]]);
          return {};
        },
      });
    }
  }

  const notFound = '404 `Entity not found` when either uid names nothing.';
  pair(
    '/access/user/:user_uid/timeprofile/:timeprofile_uid',
    ['user_uid', 'timeprofile_uid'],
    { summary: 'Attach a time profile to a user', description: `Idempotent. ${notFound}`, run: (u, p) => links.attachTimeProfile(u, p) },
    {
      summary: 'Detach a time profile from a user',
      description: `Idempotent: 200 \`{}\` also when it was not attached. ${notFound}`,
      run: (u, p) => links.detachTimeProfile(u, p),
    },
  );
  pair(
    '/access/user/:user_uid/identifier/:identifier_uid',
    ['user_uid', 'identifier_uid'],
    {
      summary: 'Bind an identifier to a user',
      description: `Idempotent. An identifier bound to another user moves to this one (an identifier has one owner). ${notFound}`,
      run: (u, i) => links.bindIdentifier(u, i),
    },
    {
      summary: 'Unbind an identifier from a user',
      description: `The identifier stays, unbound. Idempotent: 200 \`{}\` also when it was not bound to this user (then nothing changes). ${notFound}`,
      run: (u, i) => links.unbindIdentifier(u, i),
    },
  );
  pair(
    '/apartment/item/:apartment_uid/user/:user_uid',
    ['apartment_uid', 'user_uid'],
    { summary: 'Add a user to an apartment', description: `Idempotent. ${notFound}`, run: (a, u) => links.addToApartment(a, u) },
    {
      summary: 'Remove a user from an apartment',
      description: `Idempotent: 200 \`{}\` also when the user was not in it. ${notFound}`,
      run: (a, u) => links.removeFromApartment(a, u),
    },
  );
};
