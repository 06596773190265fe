/** Platform-dialect test helpers: client tokens and the shape of the §2 error body. */
import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../../helpers/app.ts';

export const CLIENT = { id: 'erp', secret: 'erp-secret-0123456789' };
export const BASE = '/Endpoint/rest/api/v1';
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function tokenFor(t: TestApp, client = CLIENT, scope?: string): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/oAuth/rest/v2/Token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret, ...(scope ? { scope } : {}) }).toString(),
  });
  if (response.statusCode !== 200) throw new Error(`token failed: ${response.body}`);
  return response.json().access_token;
}

/** Asserts the §2 error body and returns its Errors. */
export function expectError(response: LightMyRequestResponse, status: number, instance?: string): string[] {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  const types: Record<number, [string, string]> = {
    400: ['/Errors/Bad Input', 'Bad Request'],
    401: ['/Errors/Unauthorized', 'Unauthorized'],
    403: ['/Errors/Permission', 'Bad Request'],
    404: ['/Errors/Not Found', 'Not Found'],
    500: ['/Errors/Internal Server Error', 'Internal Server Error'],
  };
  expect(body.Type).toBe(types[status][0]);
  expect(body.Title).toBe(types[status][1]);
  expect(body.StatusCode).toBe(status);
  expect(body.RequestKey).toMatch(UUID_RE);
  expect(response.headers['request-key']).toBe(body.RequestKey);
  if (instance !== undefined) expect(body.Instance).toBe(instance);
  expect(Array.isArray(body.Errors) && body.Errors.length > 0).toBe(true);
  return body.Errors as string[];
}

export function b64(text: string, urlSafe = false): string {
  const s = Buffer.from(text, 'utf8').toString(urlSafe ? 'base64url' : 'base64');
  return `base64|${s}`;
}
