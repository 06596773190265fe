/**
 * Path ids (platform-api.md §3): a value as it is, or `base64|<base64 of UTF-8 text>` so that
 * values with characters a path cannot hold (e-mail addresses, slashes) fit. Standard or URL-safe
 * alphabet, padding optional.
 */
import type { FieldRef } from '../../directory/departments.ts';
import type { Address } from '../../directory/keys.ts';
import { platformErrors } from './errors.ts';

const PREFIX = 'base64|';
const ALPHABET = /^[A-Za-z0-9+/_-]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The value a path id stands for; `where` names it in the 400 (`Path parameter 'Id'`). */
export function decodePathId(raw: string, where: string): string {
  if (raw.slice(0, PREFIX.length).toLowerCase() !== PREFIX) return raw;
  const body = raw.slice(PREFIX.length).trim();
  const bare = body.replace(/=+$/, '');
  if (bare === '' || !ALPHABET.test(body) || bare.length % 4 === 1) {
    throw platformErrors.badRequest(`${where}: '${raw.slice(0, 80)}' is not valid base64`);
  }
  const bytes = Buffer.from(bare.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw platformErrors.badRequest(`${where}: the base64 value is not UTF-8 text`);
  }
  // Text may not hold NUL (PostgreSQL cannot store it, so no record can match it).
  if (text.includes('\u0000')) throw platformErrors.badRequest(`${where}: the base64 value must not contain NUL characters`);
  return text;
}

/** The record a route's path names: `{Id}` (already decoded) matched against query `Name`. */
export function address(field: string | undefined, value: string, params: { id: string; name: string } = { id: 'Id', name: 'Name' }): Address {
  return { field, value, labels: { field: `Query parameter '${params.name}'`, value: `Path parameter '${params.id}'` } };
}

/** A `FieldType` (or a returned AbstractText, by its `Id`) as a reference; `where` names it in errors. */
export function toFieldRef(value: { Field?: string; Value?: string; Id?: string | number }, where: string): FieldRef {
  if (value.Value !== undefined) return { field: value.Field, value: value.Value };
  if (value.Id !== undefined && value.Field === undefined) return { field: 'Id', value: String(value.Id) };
  throw platformErrors.badRequest(`${where}.Value: is required`);
}
