/**
 * The enterprise platform dialect (platform-api.md), mounted at /Endpoint/rest/api/v1: bearer
 * tokens with scopes, the §2 error body on every answer (with the request's `Request-Key`),
 * query parameter names matched without regard to case, checks in the order 401, 403, path,
 * query, body.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TokenVerifier } from '../../auth/principal.ts';
import type { DepartmentUsers } from '../../directory/department-users.ts';
import type { Departments } from '../../directory/departments.ts';
import type { Store } from '../../store/database.ts';
import { validatorCompiler } from '../validation.ts';
import { departmentRoutes } from './departments.ts';
import { departmentUserRoutes } from './department-users.ts';
import { platformErrors, sendPlatformError } from './errors.ts';
import { checkPathThenQuery, platformGuard } from './guard.ts';
import { userRoutes } from './users.ts';

export const PLATFORM_PREFIX = '/Endpoint/rest/api/v1';

export interface PlatformApiOptions {
  store: Store;
  verifier: TokenVerifier;
  departments: Departments;
  departmentUsers: DepartmentUsers;
  /** Most users one bulk upsert may carry. */
  maxBulkUsers: number;
}

export const platformApi: FastifyPluginAsyncTypebox<PlatformApiOptions> = async (app, options) => {
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler((error, request, reply) => sendPlatformError(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendPlatformError(platformErrors.notFound(), request, reply));
  app.addHook('onRequest', platformGuard(options.verifier));
  app.addHook('preValidation', checkPathThenQuery);

  await app.register(departmentRoutes, { store: options.store, departments: options.departments });
  await app.register(departmentUserRoutes, {
    store: options.store,
    departmentUsers: options.departmentUsers,
    maxBulkUsers: options.maxBulkUsers,
  });
  await app.register(userRoutes, { store: options.store });
};
