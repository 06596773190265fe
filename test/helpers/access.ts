/** Builders for the access-object API tests (time profiles, apartments, identifiers, users). */
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.ts';

/** A deterministic UUID (version 4 layout) from a number. */
export function uuid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A time profile active from `from` to `to` (unix seconds), no repeat. */
export function profileBody(from: number, to: number, extra: Record<string, unknown> = {}): Record<string, any> {
  return {
    name: 'Office hours',
    time_options: { is_all_day: false, date_from: from, date_to: to },
    repeat_options: { repeat_enable: false },
    ...extra,
  };
}

export function userBody(name: string, extra: Record<string, unknown> = {}) {
  return { name, info: '', auth_factors: ['card'], lock_number: 0, is_custom_user_access: false, ...extra };
}

export function apartmentBody(room: number, extra: Record<string, unknown> = {}) {
  return { apartment_name: `Flat ${room}`, apartment_address: { building: 1, unit: 0, floor: 1, room }, ...extra };
}

export function cardBody(number: string, extra: Record<string, unknown> = {}) {
  return { identifier_type: 'card', identifier_number: number, lock: 'first', ...extra };
}

/** POST/PATCH/… with a JSON body; expects `status` and returns the parsed body. */
export async function send(
  t: TestApp,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  status = 200,
  token?: string | null,
): Promise<any> {
  const response: LightMyRequestResponse = await t.call({
    method,
    url,
    ...(payload === undefined ? {} : { payload: payload as object }),
    ...(token === undefined ? {} : { token }),
  });
  if (response.statusCode !== status) {
    throw new Error(`${method} ${url}: expected ${status}, got ${response.statusCode} ${response.body}`);
  }
  return response.json();
}

/** `extended_info` of each bulk result. */
export function infos(body: { result: { extended_info: string }[] }): string[] {
  return body.result.map((r) => r.extended_info);
}
