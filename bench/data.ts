/** Realistic, reproducible bench rows: a seeded PRNG, names, infos, UUID link_ids, 1–3 factors. */

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Anna', 'Mikko', 'Laura', 'Juha', 'Maria', 'Timo', 'Sofia', 'Ville', 'Emma', 'Jari', 'Aino', 'Petri', 'Olivia', 'Kari', 'Elina', 'Antti', 'Noah', 'Liam', 'Mia', 'Lucas'];
const LAST = ['Virtanen', 'Korhonen', 'Mäkinen', 'Nieminen', 'Hämäläinen', 'Laine', 'Heikkinen', 'Koskinen', 'Järvinen', 'Lehtonen', 'Smith', 'García', 'Müller', 'Rossi', 'Nowak', 'Kowalski', 'Dubois', 'Jansen', 'Silva', 'Novak'];
const FACTORS = ['card', 'input_code', 'face_id', 'qr', 'ukey', 'license_plate'];

function uuidFrom(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(next() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface AccessItem {
  link_id: string;
  name: string;
  info: string;
  auth_factors: string[];
  lock_number: number;
  is_custom_user_access: boolean;
}

export function accessItems(count: number, seed: number): AccessItem[] {
  const next = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const factors = new Set<string>();
    const n = 1 + Math.floor(next() * 3);
    while (factors.size < n) factors.add(FACTORS[Math.floor(next() * FACTORS.length)]);
    return {
      link_id: uuidFrom(next),
      name: `${FIRST[Math.floor(next() * FIRST.length)]} ${LAST[Math.floor(next() * LAST.length)]} ${i}`,
      info: `Building ${1 + Math.floor(next() * 40)}, apartment ${1 + Math.floor(next() * 200)}`,
      auth_factors: [...factors],
      lock_number: Math.floor(next() * 3),
      is_custom_user_access: next() < 0.1,
    };
  });
}

/** The same people changed a little (the second pass of a sync). */
export function touched(items: AccessItem[]): AccessItem[] {
  return items.map((item) => ({ ...item, info: `${item.info} (updated)` }));
}

export interface PlatformUser {
  UserId: string;
  Name: string;
  Email: string;
  Username: string;
  MobilePhone: string;
  External_Id: string;
}

export function platformUsers(count: number, seed: number): PlatformUser[] {
  const next = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const first = FIRST[Math.floor(next() * FIRST.length)];
    const last = LAST[Math.floor(next() * LAST.length)];
    const ext = `EMP-${String(i).padStart(7, '0')}`;
    return {
      UserId: ext,
      External_Id: ext,
      Name: `${first} ${last}`,
      Email: `${first}.${last}.${i}@example.com`.toLowerCase(),
      Username: `${first}.${last}.${i}`.toLowerCase(),
      MobilePhone: `+35840${String(Math.floor(next() * 1e7)).padStart(7, '0')}`,
    };
  });
}
