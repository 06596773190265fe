/**
 * Who is calling: an account signed in through the panel dialect, or an API client holding a
 * platform token. Both dialects judge rights from the same scopes:
 * - `*` is everything (an admin account, an admin client) and is what panel-dialect writes need;
 * - any valid principal may read through the panel dialect;
 * - platform routes need their scope (`Department:Read`, `User:Read`, …) or `*`.
 */
export type AccountType = 'admin' | 'manager';

export interface Principal {
  kind: 'account' | 'client';
  /** Account username or client id: who `CreatedBy` / `ModifiedBy` name. */
  subject: string;
  scopes: ReadonlySet<string>;
}

export const ALL_SCOPES = '*';
export const READ_SCOPES = ['Department:Read', 'User:Read'] as const;

export function scopesOfAccount(type: AccountType): ReadonlySet<string> {
  return new Set(type === 'admin' ? [ALL_SCOPES] : READ_SCOPES);
}

export function isAdmin(principal: Principal): boolean {
  return principal.scopes.has(ALL_SCOPES);
}

export function hasScope(principal: Principal, scope: string): boolean {
  return principal.scopes.has(ALL_SCOPES) || principal.scopes.has(scope);
}

/** Turns a bearer token into a principal, or undefined when it is unknown, expired or forged. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal | undefined>;
}

/** Asks each verifier in turn (panel sessions, platform JWTs, …). */
export function anyOf(verifiers: readonly TokenVerifier[]): TokenVerifier {
  return {
    async verify(token) {
      for (const verifier of verifiers) {
        const principal = await verifier.verify(token);
        if (principal) return principal;
      }
      return undefined;
    },
  };
}
