/**
 * The platform dialect's big sync: one department's users pushed from an ERP in one request
 * (matched by External_Id), then again with 1 % changed — 0.5 % edited, 0.5 % replaced by new
 * people — and `DeleteNotExists=true`, which drops the replaced people's memberships.
 * The raw database does the same rows: upsert by external_id, memberships, the orphan delete.
 */
import pg from 'pg';
import { call, exchange } from './client.ts';
import { platformUsers, type PlatformUser } from './data.ts';
import { openRawSqlite, type RawTarget } from './raw.ts';
import type { Server } from './server.ts';

export interface PlatformFigures {
  create: { api: number; raw: number };
  resync: { api: number; raw: number };
  measureRaw(target: RawTarget): Promise<void>;
}

interface Options {
  clientId: string;
  clientSecret: string;
  users: number;
  /** Before each timed sync, the API's and the raw database's alike (run.ts's settle). */
  settle: () => Promise<void>;
}

const BASE = '/Endpoint/rest/api/v1';

/** The second sync: every 200th person edited, every 200th (offset 100) replaced by a new one. */
export function resyncOf(users: PlatformUser[]): PlatformUser[] {
  const fresh = platformUsers(users.length * 2, 99).slice(users.length);
  return users.map((user, i) => {
    if (i % 200 === 0) return { ...user, Email: `changed.${user.Email}`, MobilePhone: '+358400000000' };
    if (i % 200 === 100) return { ...fresh[i], UserId: `NEW-${i}`, External_Id: `NEW-${i}` };
    return user;
  });
}

async function token(server: Server, options: Options): Promise<string> {
  const response = await fetch(`${server.url}/oAuth/rest/v2/Token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: options.clientId, client_secret: options.clientSecret }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`token: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** One sync, timed from sending the bytes to receiving the answer's (see `exchange`). */
async function sync(server: Server, bearer: string, departmentId: string, users: PlatformUser[], deleteNotExists: boolean): Promise<number> {
  const body = new TextEncoder().encode(JSON.stringify({ Extra: [{ Name: 'UserId', FieldName: 'External_Id' }], IsFullValidation: false, Users: users }));
  const start = performance.now();
  const bytes = await exchange(server, bearer, 'PATCH', `${BASE}/Department/${departmentId}/Users?DeleteNotExists=${deleteNotExists}`, body);
  const seconds = (performance.now() - start) / 1000;
  const answer = JSON.parse(bytes.toString('utf8'));
  if (answer.Meta?.TotalItems !== users.length) throw new Error(`sync answered ${JSON.stringify(answer.Meta)}`);
  return seconds;
}

export async function platformBench(server: Server, options: Options): Promise<PlatformFigures> {
  const bearer = await token(server, options);
  const department = await call(server, bearer, 'POST', `${BASE}/Department`, JSON.stringify({ Name: 'Bench department', ExternalId: 'BENCH-1' }));
  const users = platformUsers(options.users, 11);
  const second = resyncOf(users);
  await options.settle();
  const createSeconds = await sync(server, bearer, department.Id, users, false);
  await options.settle();
  const resyncSeconds = await sync(server, bearer, department.Id, second, true);
  const members = await call(server, bearer, 'GET', `${BASE}/Department/${department.Id}/Users?PageSize=1`);
  if (members.Meta?.TotalItems !== second.length) throw new Error(`department has ${members.Meta?.TotalItems} members after the resync`);
  const figures: PlatformFigures = {
    create: { api: users.length / createSeconds, raw: 0 },
    resync: { api: second.length / resyncSeconds, raw: 0 },
    async measureRaw(target) {
      const [rawCreate, rawResync] = await rawPlatform(target, users, second, options.settle);
      figures.create.raw = users.length / rawCreate;
      figures.resync.raw = second.length / rawResync;
    },
  };
  return figures;
}

function userValues(u: PlatformUser, now: string) {
  return [u.Name, u.Name.trim().toLowerCase(), u.Username, u.Username.toLowerCase(), u.Email, u.MobilePhone, u.External_Id, now, now];
}

const USER_COLUMNS = 'name, name_key, username, username_key, email, mobile_phone, external_id, created_at, modified_at';
const USER_UPDATE =
  'name = excluded.name, name_key = excluded.name_key, username = excluded.username, username_key = excluded.username_key, ' +
  'email = excluded.email, mobile_phone = excluded.mobile_phone, modified_at = excluded.modified_at';

/** Seconds for the first sync and for the resync, written straight to the database. */
async function rawPlatform(target: RawTarget, first: PlatformUser[], second: PlatformUser[], settle: () => Promise<void>): Promise<[number, number]> {
  const now = new Date().toISOString();
  const department = 'bench-raw-department';
  if (target.kind === 'sqlite') {
    const db = openRawSqlite(target.file);
    db.prepare(
      `insert into departments (id, name, created_on, created_by, created_by_kind, modified_on, modified_by, modified_by_kind)
       values (?, 'Bench department', ?, 'bench', 'client', ?, 'bench', 'client')`,
    ).run(department, now, now);
    const upsert = db.prepare(`insert into users (${USER_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (external_id) where external_id is not null do update set ${USER_UPDATE}`);
    const member = db.prepare(`insert into memberships (department_id, user_id) select ?, id from users where external_id = ? on conflict do nothing`);
    const orphans = db.prepare(
      `delete from memberships where department_id = ? and user_id not in (select id from users where external_id in (select value from json_each(?)))`,
    );
    const write = db.transaction((users: PlatformUser[], prune: boolean) => {
      for (const u of users) {
        upsert.run(userValues(u, now));
        member.run(department, u.External_Id);
      }
      if (prune) orphans.run(department, JSON.stringify(users.map((u) => u.External_Id)));
    });
    await settle();
    const t0 = performance.now();
    write(first, false);
    const t1 = performance.now();
    await settle();
    const t2 = performance.now();
    write(second, true);
    const t3 = performance.now();
    db.close();
    return [(t1 - t0) / 1000, (t3 - t2) / 1000];
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query(
      `insert into departments (id, name, created_on, created_by, created_by_kind, modified_on, modified_by, modified_by_kind)
       values ($1, 'Bench department', $2, 'bench', 'client', $2, 'bench', 'client')`,
      [department, now],
    );
    const write = async (users: PlatformUser[], prune: boolean) => {
      const columns = users.map((u) => userValues(u, now));
      const arrays = Array.from({ length: 9 }, (_, i) => columns.map((row) => row[i]));
      const externalIds = users.map((u) => u.External_Id);
      await client.query('begin');
      await client.query(
        `insert into users (id, ${USER_COLUMNS})
         select nextval('users_id_seq'), * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         on conflict (external_id) where external_id is not null do update set ${USER_UPDATE}`,
        arrays,
      );
      await client.query(
        `insert into memberships (department_id, user_id) select $1, id from users where external_id = any($2::text[]) on conflict do nothing`,
        [department, externalIds],
      );
      if (prune) {
        await client.query(
          `delete from memberships where department_id = $1 and user_id not in (select id from users where external_id = any($2::text[]))`,
          [department, externalIds],
        );
      }
      await client.query('commit');
    };
    await settle();
    const t0 = performance.now();
    await write(first, false);
    const t1 = performance.now();
    await settle();
    const t2 = performance.now();
    await write(second, true);
    const t3 = performance.now();
    return [(t1 - t0) / 1000, (t3 - t2) / 1000];
  } finally {
    await client.end();
  }
}
