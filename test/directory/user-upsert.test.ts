import { describe, expect, it } from 'vitest';
import { newUserRow } from '../../src/directory/user-upsert.ts';
import { newUser, nameKey } from '../../src/directory/users.ts';
import { userToRow } from '../../src/store/users.ts';

const NOW = '2024-05-06T07:08:09.010Z';

describe('newUserRow', () => {
  it('is the row of newUser when no field is given', () => {
    expect(newUserRow({}, NOW)).toEqual(userToRow(newUser(0, null, NOW), nameKey));
  });

  it('sets the given fields, keys derived; empty text is unset', () => {
    const defaults = userToRow(newUser(0, null, NOW), nameKey);
    expect(newUserRow({ name: '  Ärni Ölund ', username: 'ArNi', email: 'a@example.com', mobilePhone: '+358 40 1', externalId: 'E-1', isActive: false }, NOW)).toEqual({
      ...defaults,
      name: '  Ärni Ölund ',
      name_key: 'ärni ölund',
      username: 'ArNi',
      username_key: 'arni',
      email: 'a@example.com',
      mobile_phone: '+358 40 1',
      external_id: 'E-1',
      is_active: 0,
    });
    expect(newUserRow({ name: 'B', username: '', email: null, mobilePhone: '', externalId: null, isActive: true }, NOW)).toEqual({ ...defaults, name: 'B', name_key: 'b' });
  });
});
