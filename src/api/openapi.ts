/**
 * The OpenAPI document of both dialects (`/openapi.json`) and the docs page (`/docs`): built from
 * the routes' TypeBox schemas, with the security schemes and the conventions of each dialect.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

type OpenApiDocument = { paths?: Record<string, Record<string, { parameters?: { in?: string; name?: string }[] }>> };

/**
 * The panel dialect documents its path parameters as `user-uid`, `identifier-uid`, …; routes
 * declare them with `_` (find-my-way ends a parameter name at '-'), so the document is renamed.
 */
export function panelPathNames<T extends OpenApiDocument>(doc: T): T {
  const dashed = (name: string) => name.replace(/^([a-z]+)_uid$/, '$1-uid');
  const paths: NonNullable<OpenApiDocument['paths']> = {};
  for (const [path, operations] of Object.entries(doc.paths ?? {})) {
    if (!path.startsWith('/api/v1/')) {
      paths[path] = operations;
      continue;
    }
    for (const operation of Object.values(operations)) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'path' && parameter.name) parameter.name = dashed(parameter.name);
      }
    }
    paths[path.replace(/\{([a-z]+_uid)\}/g, (_, name: string) => `{${dashed(name)}}`)] = operations;
  }
  return { ...doc, paths };
}

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Gatehouse',
        version: '0.1.0',
        description:
          'The directory of people who may open doors. Two dialects over one store: the access-control panel API under `/api/v1` and the enterprise platform API under `/Endpoint/rest/api/v1`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Panel session token or platform access token' },
          deviceKey: { type: 'http', scheme: 'bearer', description: 'GATEHOUSE_DEVICE_KEY, for panels asking for access decisions (or `?key=`)' },
          oauth: {
            type: 'oauth2',
            description: 'Platform API clients (client credentials); a panel session works too (admin: `*`, manager: the read scopes)',
            flows: {
              clientCredentials: {
                tokenUrl: '/oAuth/rest/v2/Token',
                refreshUrl: '/oAuth/rest/v2/Token',
                scopes: {
                  'Department:Read': 'Read departments',
                  'Department:Create': 'Create departments',
                  'Department:Update': "Update departments and their users",
                  'Department:Delete': 'Delete departments',
                  'User:Read': 'Read users',
                  '*': 'Everything, both dialects',
                },
              },
            },
          },
        },
      },
      security: [{ bearer: [] }, { oauth: [] }],
      tags: [
        { name: 'OAuth', description: 'Platform API client tokens (platform-api.md §1).' },
        {
          name: 'Departments',
          description: [
            'Platform dialect conventions (all platform routes): every answer carries a fresh `Request-Key` header (also in the log lines of the request);',
            'errors are `{"Errors":[…],"Type","Title","StatusCode","Instance","RequestKey"}`; checks run authentication (401), scope (403), path, query, body;',
            'an unknown platform path is a 404 once authenticated (401 before). Query parameter names match without regard to case; unknown query parameters are ignored.',
            'Path ids may be `base64|…` (standard or URL-safe, padding optional). Key fields are a fixed list per entity; a user\'s `Username` matches without regard to case,',
            'every other key field exactly. Unset text is null; unset dates are `1900-01-01T00:00:00Z`; instants are UTC ISO 8601. `CreatedBy`/`ModifiedBy` name the API client',
            '(`Type` ApiClient) or panel account (`Type` Account) that wrote the row. Panel sessions work here too: an admin has `*`, a manager the read scopes.',
          ].join(' '),
        },
        { name: 'Department users', description: 'A department\'s users (seeds 003 and 004); the users are the same rows as the panel dialect\'s users.' },
        { name: 'Platform users', description: 'Users read through the platform dialect (the same rows as the panel dialect\'s users).' },
      ],
    },
    transformObject: (document) => panelPathNames(('openapiObject' in document ? document.openapiObject : {}) as OpenApiDocument),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
