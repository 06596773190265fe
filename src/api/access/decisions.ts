/** Access decisions for panels: access-api.md §7. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { sameSecret } from '../../auth/secrets.ts';
import type { AccessDecisions, Decision } from '../../directory/access-decisions.ts';
import { validatorCompiler } from '../validation.ts';
import { bearerToken } from './auth.ts';
import { DECISION_PATH, PRESENTED_TYPES, decisionFailed } from './decision-fast-path.ts';
import { errors, sendAccessError } from './errors.ts';
import { flatErrors } from './schemas.ts';

export interface DecisionRouteOptions {
  decisions: AccessDecisions;
  /** GATEHOUSE_DEVICE_KEY; undefined: every caller is refused. */
  deviceKey: string | undefined;
}

/**
 * onRequest check of the device key (Bearer token or `key` query parameter), in constant time.
 * A callback hook, not an async one: it runs on every panel's question.
 */
export function deviceKeyGuard(deviceKey: string | undefined) {
  return function guard(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const query = request.query as { key?: unknown };
    const given = bearerToken(request) ?? (typeof query?.key === 'string' ? query.key : undefined);
    done(deviceKey !== undefined && given !== undefined && sameSecret(given, deviceKey) ? undefined : errors.logIn());
  };
}

const Answer = Type.Object({
  handled: Type.Boolean(),
  access: Type.Optional(Type.Object({ granted: Type.Boolean(), lock_number: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })) })),
});

const answer = (decision: Decision) =>
  decision.granted ? { handled: true, access: { granted: true, lock_number: decision.lockNumber } } : { handled: true, access: { granted: false } };

function cannotDecide(request: FastifyRequest, error: unknown) {
  decisionFailed(request.log, error);
  return { handled: false };
}

/**
 * Registered beside the rest of the panel dialect, not inside it: its routes' account-token guard
 * and path/query hook have nothing to say to a panel, and each hook costs every decision.
 * A served app answers the plain question on its connection (decision-fast-path.ts); this route
 * answers all the others (`?key=`, refusals, bad bodies, requests in tests through `inject`).
 */
export const decisionRoutes: FastifyPluginAsyncTypebox<DecisionRouteOptions> = async (app, { decisions, deviceKey }) => {
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler((error, request, reply) => sendAccessError(error, request, reply));
  app.post(
    DECISION_PATH,
    {
      onRequest: deviceKeyGuard(deviceKey),
      schema: {
        tags: ['Access decisions'],
        summary: 'Decide whether a presented identifier opens the door (for panels)',
        description: [
          'Authenticated with the device key (GATEHOUSE_DEVICE_KEY) as `Authorization: Bearer <key>` or `?key=<key>`;',
          'a missing or wrong key, or no key configured, is 401 `{"error":"Log In"}`. Panel session tokens are not accepted here.',
          'Granted (`{"handled":true,"access":{"granted":true,"lock_number":N}}`, N from the identifier\'s lock: first 1, second 2, all 0)',
          'only when the identifier exists, is inside its valid.time window, its owner user (if any) and the identifier are each inside',
          'at least one of their attached time profiles\' active windows (in GATEHOUSE_TIMEZONE; no profiles attached: no constraint),',
          'and it has a pass left; a grant uses one pass. Otherwise `{"handled":true,"access":{"granted":false}}` — also for a number',
          'that does not fit its type. `{"handled":false}` only when the server cannot decide (its store failed): the panel decides itself.',
          'The user\'s auth_factors and lock_number are the panel\'s own rules and are not evaluated here.',
          'A body that is not `{"identifier_number": string, "identifier_type": card|input_code|qr}` is a flat 400 (`inputCode` is accepted too).',
        ].join(' '),
        security: [{ deviceKey: [] }],
        querystring: Type.Object({ key: Type.Optional(Type.String({ description: 'The device key, when not sent as a Bearer token' })) }),
        body: Type.Object({
          identifier_number: Type.String({ maxLength: 1000 }),
          identifier_type: Type.Unsafe<(typeof PRESENTED_TYPES)[number]>({ type: 'string', enum: [...PRESENTED_TYPES] }),
        }),
        response: { 200: Answer, ...flatErrors },
      },
    },
    (request) => {
      // Kept facts are answered in this same turn (Fastify sends a plain return value at once).
      // No closure is made unless a read is needed: a named one per request costs under tsx.
      try {
        const decision = decisions.decide(request.body.identifier_type, request.body.identifier_number);
        return decision instanceof Promise ? decision.then(answer, (error: unknown) => cannotDecide(request, error)) : answer(decision);
      } catch (error) {
        return cannotDecide(request, error);
      }
    },
  );
};
