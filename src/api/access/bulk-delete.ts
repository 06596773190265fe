/** The bulk delete by link_id (seed 001) of any entity: nested error style, results per link_id. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { BulkItemResult } from '../../directory/users.ts';
import { sendBulkResult } from './bulk-json.ts';
import { BulkResult, Uuid, nestedErrors } from './schemas.ts';

export interface BulkDeleteRoute {
  paths: readonly (readonly ['POST' | 'DELETE', string])[];
  tags: string[];
  summary: string;
  maxItems: number;
  handler: (linkIds: string[]) => Promise<BulkItemResult[]>;
}

export function bulkDeleteRoute(app: FastifyInstance, route: BulkDeleteRoute): void {
  for (const [method, url] of route.paths) {
    app.route<{ Body: { link_ids: string[] } }>({
      method,
      url,
      config: { errorStyle: 'nested' },
      schema: {
        tags: route.tags,
        summary: route.summary,
        description:
          'Body `{"link_ids":[uuid, …]}`. Results per link_id in request order: `deleted`, or `entity_not_found` (success false). ' +
          `Errors use the nested style. Also served as ${route.paths.map(([m, u]) => `\`${m} ${u}\``).join(' and ')}.`,
        body: Type.Object({ link_ids: Type.Array(Uuid, { minItems: 1, maxItems: route.maxItems }) }),
        response: { 200: BulkResult, ...nestedErrors },
      },
      handler: async (request, reply) => sendBulkResult(reply, await route.handler(request.body.link_ids)),
    });
  }
}
