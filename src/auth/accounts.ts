/**
 * Panel-dialect accounts (`admin`, `manager`) and their sign-in sessions.
 *
 * Panels sign in with the MD5 hex of the password, so what is stored is
 * scrypt(md5hex(password)): the MD5 is only the wire form, never what is kept.
 * Session tokens are opaque, 256 random bits, stored as SHA-256 digests, and expire.
 */
import { nowIso, type Store } from '../store/database.ts';
import { scopesOfAccount, type AccountType, type Principal, type TokenVerifier } from './principal.ts';
import { hashSecret, md5Hex, randomPassword, randomToken, sha256, verifySecret } from './secrets.ts';

export interface Account {
  username: string;
  account_type: AccountType;
}

export class AccountExistsError extends Error {}

export interface AccountsOptions {
  tokenTtlSeconds: number;
  now?: () => number;
}

/** Verified sessions are remembered this long, so a burst of requests costs one lookup. */
const CACHE_MS = 5_000;

export function accountService(store: Store, options: AccountsOptions) {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { principal: Principal; expiresAt: number; checkedAt: number }>();
  const db = store.db;

  /** False when the username is taken (also by a concurrent create: no unique-violation 500). */
  async function insert(username: string, password: string, type: AccountType): Promise<boolean> {
    const result = await db
      .insertInto('accounts')
      .values({ username, password_hash: await hashSecret(md5Hex(password)), account_type: type, created_at: nowIso() })
      .onConflict((oc) => oc.column('username').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  const sessions: TokenVerifier = {
    async verify(token) {
      const digest = sha256(token);
      const t = now();
      const hit = cache.get(digest);
      if (hit && hit.expiresAt > t && t - hit.checkedAt < CACHE_MS) return hit.principal;
      cache.delete(digest);
      const row = await db
        .selectFrom('sessions')
        .innerJoin('accounts', 'accounts.username', 'sessions.username')
        .select(['sessions.username', 'sessions.expires_at', 'accounts.account_type'])
        .where('sessions.token_hash', '=', digest)
        .executeTakeFirst();
      if (!row || Number(row.expires_at) <= t) return undefined;
      const principal: Principal = { kind: 'account', subject: row.username, scopes: scopesOfAccount(row.account_type) };
      if (cache.size > 10_000) cache.clear();
      cache.set(digest, { principal, expiresAt: Number(row.expires_at), checkedAt: t });
      return principal;
    },
  };

  return {
    sessions,

    /** At start: when no account exists, create the admin; returns the password when it was generated. */
    async bootstrap(username: string, password: string | undefined): Promise<{ generatedPassword?: string }> {
      const any = await db.selectFrom('accounts').select('username').limit(1).executeTakeFirst();
      if (any) return {};
      const chosen = password ?? randomPassword();
      await insert(username, chosen, 'admin');
      return password === undefined ? { generatedPassword: chosen } : {};
    },

    /** `passwordMd5` is the MD5 hex the panel sends, in either case. */
    async login(username: string, passwordMd5: string): Promise<{ token: string; account_type: AccountType } | undefined> {
      const account = await db.selectFrom('accounts').selectAll().where('username', '=', username).executeTakeFirst();
      if (!account || !(await verifySecret(passwordMd5.toLowerCase(), account.password_hash))) return undefined;
      const token = randomToken();
      const t = now();
      await db.deleteFrom('sessions').where('expires_at', '<=', t).execute();
      await db
        .insertInto('sessions')
        .values({ token_hash: sha256(token), username, expires_at: t + options.tokenTtlSeconds * 1000, created_at: nowIso() })
        .execute();
      return { token, account_type: account.account_type };
    },

    async create(username: string, password: string, type: AccountType): Promise<Account> {
      const exists = await db.selectFrom('accounts').select('username').where('username', '=', username).executeTakeFirst();
      if (exists || !(await insert(username, password, type))) throw new AccountExistsError(username);
      return { username, account_type: type };
    },

    async list(): Promise<Account[]> {
      return db.selectFrom('accounts').select(['username', 'account_type']).orderBy('username').execute();
    },

    /** Deletes the account and its sessions; false when there was none. */
    async remove(username: string): Promise<boolean> {
      const result = await store.transaction(async (tx) => {
        await tx.deleteFrom('sessions').where('username', '=', username).execute();
        return tx.deleteFrom('accounts').where('username', '=', username).executeTakeFirst();
      });
      cache.clear();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type AccountService = ReturnType<typeof accountService>;
