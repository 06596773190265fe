/**
 * The access-control panel dialect (access-api.md), mounted at /api/v1: its own validation
 * wording, its own error bodies, bearer tokens with admin/manager rights.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccountService } from '../../auth/accounts.ts';
import type { TokenVerifier } from '../../auth/principal.ts';
import type { UserDirectory } from '../../directory/user-directory.ts';
import type { Store } from '../../store/database.ts';
import { validatePathThenQuery, validatorCompiler } from '../validation.ts';
import { accountRoutes } from './accounts.ts';
import { accessGuard } from './auth.ts';
import { errors, sendAccessError } from './errors.ts';
import { userRelations } from './links.ts';
import { accessObjectRoutes, type AccessObjects } from './objects.ts';
import { usersRoutes, type UsersRouteOptions } from './users.ts';

export interface AccessApiOptions {
  store: Store;
  accounts: AccountService;
  verifier: TokenVerifier;
  directory: UserDirectory;
  maxBulkItems: number;
  relations?: UsersRouteOptions['relations'];
  objects: AccessObjects;
}

export const accessApi: FastifyPluginAsyncTypebox<AccessApiOptions> = async (app, options) => {
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler((error, request, reply) => sendAccessError(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendAccessError(errors.notFound(), request, reply));
  app.addHook('onRequest', accessGuard(options.verifier));
  app.addHook('preValidation', validatePathThenQuery);

  await app.register(accountRoutes, { accounts: options.accounts });
  await app.register(usersRoutes, {
    store: options.store,
    directory: options.directory,
    maxBulkItems: options.maxBulkItems,
    relations: options.relations ?? userRelations(options.objects.links),
  });
  await app.register(accessObjectRoutes, { objects: options.objects, maxBulkItems: options.maxBulkItems });
};
