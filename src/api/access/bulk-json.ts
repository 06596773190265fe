/**
 * The answer of the panel dialect's bulk routes as JSON text, byte for byte what the `BulkResult`
 * response schema's serialiser writes: the property list keeps exactly the schema's properties,
 * in its order. Sent as bytes (see json-bytes.ts).
 */
import type { FastifyReply } from 'fastify';
import { sendJsonText } from '../json-bytes.ts';
import type { BulkItemResult } from '../../directory/users.ts';

const PROPERTIES = ['result', 'link_id', 'success', 'extended_info', 'has_dublicates'];

export function bulkResultJson(results: readonly BulkItemResult[]): string {
  return JSON.stringify({ result: results }, PROPERTIES);
}

/** Sends `{"result":[…]}` as it is (the bytes of the text the 200 schema's serialiser would write). */
export function sendBulkResult(reply: FastifyReply, results: readonly BulkItemResult[]): FastifyReply {
  return sendJsonText(reply, bulkResultJson(results));
}
