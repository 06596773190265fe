/**
 * The panel dialect's access objects — time profiles, apartments, identifiers, their links to
 * users. Domain errors are worded here (domain-errors.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccessLinks } from '../../directory/access-links.ts';
import type { ApartmentDirectory } from '../../directory/apartment-directory.ts';
import type { IdentifierDirectory } from '../../directory/identifier-directory.ts';
import type { TimeProfileDirectory } from '../../directory/time-profile-directory.ts';
import { apartmentRoutes } from './apartments.ts';
import { fromDomainError } from './domain-errors.ts';
import { sendAccessError } from './errors.ts';
import { identifierRoutes } from './identifiers.ts';
import { linkRoutes } from './links.ts';
import { timeProfileRoutes } from './time-profiles.ts';

export interface AccessObjects {
  profiles: TimeProfileDirectory;
  apartments: ApartmentDirectory;
  identifiers: IdentifierDirectory;
  links: AccessLinks;
}

export interface AccessObjectsOptions {
  objects: AccessObjects;
  maxBulkItems: number;
}

export const accessObjectRoutes: FastifyPluginAsyncTypebox<AccessObjectsOptions> = async (app, { objects, maxBulkItems }) => {
  app.setErrorHandler((error, request, reply) => sendAccessError(fromDomainError(error), request, reply));
  await app.register(timeProfileRoutes, { profiles: objects.profiles, maxBulkItems });
  await app.register(apartmentRoutes, { apartments: objects.apartments, maxBulkItems });
  await app.register(identifierRoutes, { identifiers: objects.identifiers, maxBulkItems });
  await app.register(linkRoutes, { links: objects.links });
};
