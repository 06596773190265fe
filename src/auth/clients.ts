/**
 * API clients of the platform dialect and their tokens (OAuth 2.0 client credentials, RFC 6749 §4.4).
 *
 * - Client secrets are stored as scrypt hashes; an unknown client id costs the same scrypt as a
 *   wrong secret, so response times do not tell which ids exist.
 * - Access tokens are HS256 JWTs (`iss`, `sub` = client id, `scope`, `iat`, `exp`, `jti`). The key is
 *   256 random bits generated once and kept in `settings` (tokens survive restarts); it is read
 *   once and cached, so verifying a token costs no database round trip. It is never logged.
 * - Refresh tokens are opaque (256 bits), stored as SHA-256 digests, live 30 days and work once:
 *   using one deletes it (atomically, so two concurrent uses cannot both succeed) and issues a new pair.
 */
import crypto from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { nowIso, type Queryable, type Store } from '../store/database.ts';
import { ALL_SCOPES, type Principal, type TokenVerifier } from './principal.ts';
import { hashSecret, randomToken, sha256, verifySecret } from './secrets.ts';

export const PLATFORM_SCOPES = [
  'Department:Read',
  'Department:Create',
  'Department:Update',
  'Department:Delete',
  'User:Read',
  ALL_SCOPES,
] as const;

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
const KEY_SETTING = 'platform.jwt_signing_key';
const ISSUER = 'gatehouse';

export interface ApiClient {
  clientId: string;
  /** What the client may ask for. */
  scopes: ReadonlySet<string>;
}

export interface TokenGrant {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  refresh_token: string;
  scope: string;
}

/** An OAuth error of RFC 6749 §5.2 (`invalid_client` is a 401, the others 400). */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope',
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  get statusCode(): number {
    return this.error === 'invalid_client' ? 401 : 400;
  }
}

export interface ClientsOptions {
  accessTokenTtlSeconds: number;
  /** Unix milliseconds; tests move the clock. */
  now?: () => number;
}

function parseScopes(text: string): string[] {
  return text.split(' ').filter((s) => s !== '');
}

/** The scopes granted for a request: all the client may have when none are asked for. */
function grantScopes(client: ApiClient, requested: string | undefined, ceiling: ReadonlySet<string>): string[] {
  if (requested === undefined || requested.trim() === '') return [...ceiling];
  const asked = [...new Set(parseScopes(requested))];
  for (const scope of asked) {
    if (!(PLATFORM_SCOPES as readonly string[]).includes(scope)) throw new OAuthError('invalid_scope', `unknown scope '${scope.slice(0, 60)}'`);
    if (!ceiling.has(ALL_SCOPES) && !ceiling.has(scope)) {
      throw new OAuthError('invalid_scope', `client '${client.clientId}' may not ask for '${scope}'`);
    }
  }
  return asked;
}

export function clientService(store: Store, options: ClientsOptions) {
  const db = store.db;
  const now = options.now ?? Date.now;
  let keyPromise: Promise<Uint8Array> | undefined;
  // A hash to verify against when the client id is unknown (same cost as a real check).
  let decoyHash: Promise<string> | undefined;

  /** The signing key: read (or created) once, then cached for the life of the process. */
  function signingKey(): Promise<Uint8Array> {
    keyPromise ??= (async () => {
      const fresh = crypto.randomBytes(32).toString('base64url');
      await db.insertInto('settings').values({ name: KEY_SETTING, value: fresh }).onConflict((oc) => oc.column('name').doNothing()).execute();
      const row = await db.selectFrom('settings').select('value').where('name', '=', KEY_SETTING).executeTakeFirstOrThrow();
      return new Uint8Array(Buffer.from(row.value, 'base64url'));
    })().catch((error: unknown) => {
      keyPromise = undefined;
      throw error;
    });
    return keyPromise;
  }

  async function issue(q: Queryable, client: ApiClient, scopes: readonly string[]): Promise<TokenGrant> {
    const scope = scopes.join(' ');
    const t = now();
    const iat = Math.floor(t / 1000);
    const accessToken = await new SignJWT({ scope })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setSubject(client.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + options.accessTokenTtlSeconds)
      .setJti(crypto.randomUUID())
      .sign(await signingKey());
    const refreshToken = randomToken();
    await q.deleteFrom('refresh_tokens').where('expires_at', '<=', t).execute();
    await q
      .insertInto('refresh_tokens')
      .values({
        token_hash: sha256(refreshToken),
        client_id: client.clientId,
        scope,
        expires_at: t + REFRESH_TOKEN_TTL_SECONDS * 1000,
        created_at: nowIso(),
      })
      .execute();
    return { token_type: 'Bearer', expires_in: options.accessTokenTtlSeconds, access_token: accessToken, refresh_token: refreshToken, scope };
  }

  const verifier: TokenVerifier = {
    async verify(token) {
      // Panel session tokens have no dots: not a JWT, nothing to check.
      if (token.split('.').length !== 3) return undefined;
      try {
        const { payload } = await jwtVerify(token, await signingKey(), {
          algorithms: ['HS256'],
          issuer: ISSUER,
          currentDate: new Date(now()),
          requiredClaims: ['sub', 'exp', 'iat', 'jti'],
        });
        if (typeof payload.sub !== 'string' || typeof payload.scope !== 'string') return undefined;
        const principal: Principal = { kind: 'client', subject: payload.sub, scopes: new Set(parseScopes(payload.scope)) };
        return principal;
      } catch {
        return undefined;
      }
    },
  };

  return {
    verifier,
    signingKey,

    /** Creates a client, or replaces the secret and scopes of an existing one. */
    async save(clientId: string, secret: string, scopes: readonly string[]): Promise<void> {
      const at = nowIso();
      const secretHash = await hashSecret(secret);
      await db
        .insertInto('api_clients')
        .values({ client_id: clientId, secret_hash: secretHash, scopes: scopes.join(' '), created_at: at, modified_at: at })
        .onConflict((oc) => oc.column('client_id').doUpdateSet({ secret_hash: secretHash, scopes: scopes.join(' '), modified_at: at }))
        .execute();
    },

    /** At start: the configured admin client (scope `*`) exists with the configured secret; the key exists. */
    async bootstrap(clientId: string | undefined, secret: string | undefined): Promise<void> {
      await signingKey();
      if (clientId === undefined || secret === undefined) return;
      const row = await db.selectFrom('api_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      if (row && row.scopes === ALL_SCOPES && (await verifySecret(secret, row.secret_hash))) return;
      await this.save(clientId, secret, [ALL_SCOPES]);
    },

    /** The client with this id and secret, or an `invalid_client` error. */
    async authenticate(clientId: string, secret: string): Promise<ApiClient> {
      const row = await db.selectFrom('api_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      decoyHash ??= hashSecret(randomToken());
      const ok = await verifySecret(secret, row?.secret_hash ?? (await decoyHash));
      if (!row || !ok) throw new OAuthError('invalid_client', 'unknown client or wrong secret');
      return { clientId: row.client_id, scopes: new Set(parseScopes(row.scopes)) };
    },

    /** `grant_type=client_credentials`. */
    async clientCredentials(client: ApiClient, scope: string | undefined): Promise<TokenGrant> {
      return issue(db, client, grantScopes(client, scope, client.scopes));
    },

    /** `grant_type=refresh_token`: the token works once; the new pair has at most its scope. */
    async refresh(client: ApiClient, refreshToken: string, scope: string | undefined): Promise<TokenGrant> {
      // One transaction: a refused scope leaves the refresh token usable.
      return store.transaction(async (tx) => {
        const used = await tx
          .deleteFrom('refresh_tokens')
          .where('token_hash', '=', sha256(refreshToken))
          .where('client_id', '=', client.clientId)
          .returning(['scope', 'expires_at'])
          .executeTakeFirst();
        if (!used || Number(used.expires_at) <= now()) {
          throw new OAuthError('invalid_grant', 'the refresh token is unknown, used or expired');
        }
        // The client may have lost scopes since: what was granted, within what it may still have.
        const ceiling = new Set(parseScopes(used.scope).filter((s) => client.scopes.has(ALL_SCOPES) || client.scopes.has(s)));
        return issue(tx, client, grantScopes(client, scope, ceiling));
      });
    },
  };
}

export type ClientService = ReturnType<typeof clientService>;
