import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

describe.each(STORE_KINDS)('OpenAPI description of the platform dialect (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.dispose());

  it('describes every platform route, the token endpoint and the OAuth flow', async () => {
    const response = await t.call({ method: 'GET', url: '/openapi.json', token: null });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    const base = '/Endpoint/rest/api/v1';
    const expected: Record<string, string[]> = {
      '/oAuth/rest/v2/Token': ['post'],
      [`${base}/Department`]: ['post', 'patch'],
      [`${base}/Department/{Id}`]: ['get', 'put', 'delete'],
      [`${base}/Departments`]: ['get'],
      [`${base}/Department/{Id}/User`]: ['post'],
      [`${base}/Department/{Id}/Users`]: ['patch', 'post', 'get'],
      [`${base}/Department/{Id}/User/{SubId}`]: ['delete'],
      [`${base}/Users`]: ['get'],
      [`${base}/User/{Id}`]: ['get'],
      [`${base}/User/{Id}/Departments`]: ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      for (const method of methods) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    expect(doc.paths[`${base}/Department/{Id}/Users`].patch.description).toMatch(/DeleteNotExists/);
    expect(doc.components.securitySchemes.oauth.flows.clientCredentials.tokenUrl).toBe('/oAuth/rest/v2/Token');
  });
});
