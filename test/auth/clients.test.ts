import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthError, clientService } from '../../src/auth/clients.ts';
import type { Store } from '../../src/store/database.ts';
import { STORE_KINDS, newStoreLocation, openAt, type TestStoreLocation } from '../helpers/stores.ts';

describe.each(STORE_KINDS)('API clients and tokens (%s)', (kind) => {
  let location: TestStoreLocation;
  let store: Store;

  beforeAll(async () => {
    location = await newStoreLocation(kind);
    store = await openAt(location);
  });
  afterAll(async () => {
    await store.close().catch(() => undefined);
    await location.dispose();
  });

  it('stores secrets hashed and grants scopes within what the client may have', async () => {
    const clients = clientService(store, { accessTokenTtlSeconds: 60 });
    await clients.save('hr', 'hr-secret-1', ['User:Read', 'Department:Read']);
    const row = await store.db.selectFrom('api_clients').selectAll().where('client_id', '=', 'hr').executeTakeFirstOrThrow();
    expect(row.secret_hash).toMatch(/^scrypt\$/);
    const client = await clients.authenticate('hr', 'hr-secret-1');
    expect((await clients.clientCredentials(client, undefined)).scope).toBe('User:Read Department:Read');
    expect((await clients.clientCredentials(client, 'User:Read')).scope).toBe('User:Read');
    await expect(clients.clientCredentials(client, '*')).rejects.toMatchObject({ error: 'invalid_scope' });
    await expect(clients.authenticate('hr', 'wrong')).rejects.toBeInstanceOf(OAuthError);
    // Refresh tokens are kept as digests only.
    const grant = await clients.clientCredentials(client, undefined);
    const stored = await store.db.selectFrom('refresh_tokens').select('token_hash').execute();
    expect(stored.map((r) => r.token_hash)).not.toContain(grant.refresh_token);
  });

  it('verifies tokens by their signature and expiry, without the database', async () => {
    let now = Date.now();
    const clients = clientService(store, { accessTokenTtlSeconds: 60, now: () => now });
    await clients.bootstrap('admin-client', 'admin-secret-1');
    const grant = await clients.clientCredentials(await clients.authenticate('admin-client', 'admin-secret-1'), undefined);
    expect(await clients.verifier.verify(grant.access_token)).toEqual({ kind: 'client', subject: 'admin-client', scopes: new Set(['*']) });
    // A panel-style opaque token is not a JWT.
    expect(await clients.verifier.verify('abcdef')).toBeUndefined();

    const other = await openAt(location);
    const offline = clientService(other, { accessTokenTtlSeconds: 60, now: () => now });
    expect(await offline.verifier.verify(grant.access_token)).toBeDefined(); // loads the key once
    await other.close();
    expect(await offline.verifier.verify(grant.access_token)).toBeDefined(); // store closed: no round trip

    now += 61_000;
    expect(await clients.verifier.verify(grant.access_token)).toBeUndefined();
  });

  it('rotates refresh tokens: each works once, and lives 30 days', async () => {
    let now = Date.now();
    const clients = clientService(store, { accessTokenTtlSeconds: 60, now: () => now });
    const client = await clients.authenticate('admin-client', 'admin-secret-1');
    const first = await clients.clientCredentials(client, 'Department:Read User:Read');
    const second = await clients.refresh(client, first.refresh_token, 'User:Read');
    expect(second.scope).toBe('User:Read');
    await expect(clients.refresh(client, first.refresh_token, undefined)).rejects.toMatchObject({ error: 'invalid_grant' });
    now += 30 * 24 * 3600 * 1000 + 1;
    await expect(clients.refresh(client, second.refresh_token, undefined)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
