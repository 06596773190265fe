import { beforeAll, describe, expect, it } from 'vitest';
import { accessDecisions } from '../../src/directory/access-decisions.ts';
import { identifierDirectory } from '../../src/directory/identifier-directory.ts';
import { PERMANENT, type IdentifierWrite } from '../../src/directory/identifiers.ts';
import { timeProfileDirectory } from '../../src/directory/time-profile-directory.ts';
import type { TimeProfileRules } from '../../src/directory/time-profiles.ts';
import type { Store } from '../../src/store/database.ts';
import { knownDataVersion, STORE_KINDS, storeForTests } from '../helpers/stores.ts';

const u = (iso: string) => Date.parse(iso) / 1000;

/** Weekdays 09:00–17:00 local time in Kyiv, from 1 March 2024 (a Friday), every week. */
const OFFICE_HOURS: TimeProfileRules = {
  time_options: { is_all_day: false, date_from: u('2024-03-01T07:00:00Z'), date_to: u('2024-03-01T15:00:00Z') },
  repeat_options: {
    repeat_enable: true,
    repeat_format: {
      repeat_type: 'custom',
      repeat_end: { format: 'date', date: u('2024-12-31T23:59:59Z') },
      repeat_custom: { repeat_point_type: 'week', repeat_looper: 1, repeat_options: ['MON', 'TUE', 'WED', 'THU', 'FRI'] },
    },
  },
};

const card = (number: string, extra: Partial<IdentifierWrite> = {}): IdentifierWrite => ({
  owner: { name: '', type: 'owner' },
  type: 'card',
  number,
  lock: 'first',
  valid: PERMANENT,
  ...extra,
});

describe.each(STORE_KINDS)('access decisions at fixed instants (%s)', (kind) => {
  const t = storeForTests(kind);
  let store: Store;
  beforeAll(async () => {
    store = t.store;
    await timeProfileDirectory(store).create({ name: 'Office', linkId: '00000000-0000-4000-8000-000000000001', rules: OFFICE_HOURS });
    const identifiers = identifierDirectory(store);
    await identifiers.create(card('1', { timeProfileLinkIds: ['00000000-0000-4000-8000-000000000001'] }));
    await identifiers.create(card('2', { lock: 'all', valid: { ...PERMANENT, time: { is_permanent: false, from: u('2024-06-01T00:00:00Z'), to: u('2024-06-30T23:59:59Z') } } }));
    await identifiers.create(card('3', { valid: { ...PERMANENT, passes: { is_permanent: false, max_passes: 5 } } }));
  });

  it('answers from kept facts at once, without a promise; a read or a pass to use is awaited', async () => {
    const decisions = accessDecisions(store, { timeZone: 'UTC' });
    // PostgreSQL keeps facts only once its change listener listens.
    await knownDataVersion(store);
    const first = decisions.decide('card', '2', new Date('2024-06-10T00:00:00Z'));
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual({ granted: true, lockNumber: 0 });
    expect(decisions.decide('card', '2', new Date('2024-06-10T00:00:00Z'))).toEqual({ granted: true, lockNumber: 0 });
    expect(decisions.decide('card', '2', new Date('2024-07-10T00:00:00Z'))).toEqual({ granted: false });
    await decisions.decide('card', '404');
    expect(decisions.decide('card', '404')).toEqual({ granted: false });
    // A limited identifier uses a pass each time: never answered from memory alone.
    await decisions.decide('card', '3');
    const limited = decisions.decide('card', '3');
    expect(limited).toBeInstanceOf(Promise);
    expect(await limited).toEqual({ granted: true, lockNumber: 1 });
  });

  it('evaluates time profiles in the configured time zone', async () => {
    const kyiv = accessDecisions(store, { timeZone: 'Europe/Kyiv' });
    const utc = accessDecisions(store, { timeZone: 'UTC' });
    // Monday 10 June 2024, 06:30 UTC = 09:30 in Kyiv (summer time, UTC+3).
    const morning = new Date('2024-06-10T06:30:00Z');
    expect(await kyiv.decide('card', '1', morning)).toEqual({ granted: true, lockNumber: 1 });
    expect(await utc.decide('card', '1', morning)).toEqual({ granted: false });
    // 14:30 UTC = 17:30 in Kyiv: closed there, open in UTC's 07:00–15:00.
    const evening = new Date('2024-06-10T14:30:00Z');
    expect(await kyiv.decide('card', '1', evening)).toEqual({ granted: false });
    expect(await utc.decide('card', '1', evening)).toEqual({ granted: true, lockNumber: 1 });
    // Saturday, and after the repeat end.
    expect(await kyiv.decide('card', '1', new Date('2024-06-15T08:00:00Z'))).toEqual({ granted: false });
    expect(await kyiv.decide('card', '1', new Date('2025-01-06T08:00:00Z'))).toEqual({ granted: false });
  });

  it('bounds the validity window inclusively', async () => {
    const decisions = accessDecisions(store, { timeZone: 'UTC' });
    expect(await decisions.decide('card', '2', new Date('2024-06-01T00:00:00Z'))).toEqual({ granted: true, lockNumber: 0 });
    expect(await decisions.decide('card', '2', new Date('2024-06-30T23:59:59Z'))).toEqual({ granted: true, lockNumber: 0 });
    expect(await decisions.decide('card', '2', new Date('2024-07-01T00:00:00Z'))).toEqual({ granted: false });
    expect(await decisions.decide('card', '2', new Date('2024-05-31T23:59:59Z'))).toEqual({ granted: false });
  });
});
