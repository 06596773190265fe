/** The bulk routes' answer text: what the BulkResult response schema's serialiser writes. */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { bulkResultJson } from '../../../src/api/access/bulk-json.ts';
import { BulkResult } from '../../../src/api/access/schemas.ts';
import type { BulkItemResult } from '../../../src/directory/users.ts';

/** Short, long, escaped and surrogate texts; has_dublicates absent, true and false; a property the schema lacks. */
const TEXTS = ['', '0f8fad5b-d9cb-469f-a165-70867728950e', 'quote " and \\ back', 'tab\there \u001f', '\ud83d\ude00', 'lone \ud800', 'ä'.repeat(41), 'b'.repeat(5001), '\u2028</script>'];
const results = [
  ...TEXTS.map((link_id, i): BulkItemResult => ({ link_id, success: i % 2 === 0, extended_info: 'created', ...(i % 3 === 0 ? {} : { has_dublicates: i % 3 === 1 }) })),
  { extended_info: 'updated', has_dublicates: false, success: true, link_id: 'order differs', extra: 'not in the schema' } as BulkItemResult,
];

describe('bulkResultJson', () => {
  it('writes what the BulkResult response schema writes', async () => {
    const app = Fastify();
    app.get('/', { schema: { response: { 200: BulkResult } } }, async () => ({ result: results }));
    const response = await app.inject({ method: 'GET', url: '/' });
    await app.close();
    expect(response.statusCode).toBe(200);
    expect(bulkResultJson(results)).toBe(response.body);
  });

  it('writes an empty list', () => {
    expect(bulkResultJson([])).toBe('{"result":[]}');
  });
});
