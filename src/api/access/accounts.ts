/** Sign-in and accounts of the panel dialect: access-api.md §1. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AccountExistsError, type AccountService } from '../../auth/accounts.ts';
import { AccessError, errors } from './errors.ts';
import { Empty, FlatError, flatErrors, listOf } from './schemas.ts';

const AccountType = Type.Union([Type.Literal('admin'), Type.Literal('manager')]);
const Account = Type.Object({ username: Type.String(), account_type: AccountType });

export const accountRoutes: FastifyPluginAsyncTypebox<{ accounts: AccountService }> = async (app, { accounts }) => {
  const tags = ['Sign-in'];

  app.get(
    '/login',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Sign in with the MD5 hex of the password',
        description: 'Returns an opaque bearer token (256 random bits) valid for GATEHOUSE_TOKEN_TTL_SECONDS (default 2 hours).',
        querystring: Type.Object({ username: Type.Optional(Type.String()), password: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({ token: Type.String(), account_type: AccountType }), 400: FlatError, 500: FlatError },
      },
    },
    async (request) => {
      const { username, password } = request.query;
      if (!username || !password) throw errors.badRequest('Required parameters missed');
      const session = /^[0-9a-f]{32}$/i.test(password) ? await accounts.login(username, password) : undefined;
      if (!session) throw errors.badRequest('Wrong login or password');
      return session;
    },
  );

  app.post(
    '/accounts',
    {
      schema: {
        tags,
        summary: 'Create an account (admin only)',
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 100 }),
          password: Type.String({ minLength: 8, maxLength: 200 }),
          account_type: AccountType,
        }),
        response: { 200: Account, ...flatErrors },
      },
    },
    async (request) => {
      const { username, password, account_type } = request.body;
      try {
        return await accounts.create(username, password, account_type);
      } catch (error) {
        if (error instanceof AccountExistsError) throw new AccessError(400, 'Account with that username already exist');
        throw error;
      }
    },
  );

  app.get(
    '/accounts',
    {
      config: { access: 'admin' },
      schema: { tags, summary: 'List accounts (admin only)', response: { 200: listOf(Account), ...flatErrors } },
    },
    async () => ({ list_items: await accounts.list() }),
  );

  app.delete(
    '/accounts/:username',
    {
      schema: {
        tags,
        summary: 'Delete an account and its sessions (admin only)',
        params: Type.Object({ username: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 200: Empty, ...flatErrors },
      },
    },
    async (request) => {
      if (!(await accounts.remove(request.params.username))) throw errors.notFound();
      return {};
    },
  );
};
