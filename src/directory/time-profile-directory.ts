/**
 * Time profiles as stored things (access-api.md §5): create, read, replace, delete, and the bulk
 * sync by link_id. The rules themselves (checks, activity) are in time-profiles.ts.
 */
import { nowIso, type Store } from '../store/database.ts';
import { pagedList, type ListField, type ListSpec } from '../store/paged-list.ts';
import { timeProfilesRepository, type TimeProfileRow } from '../store/time-profiles.ts';
import { assertLinkIdFree, bulkDeleteByLinkIds, deleteOne, existing } from './keyed-entities.ts';
import { LinkBatch } from './link-batch.ts';
import type { CustomRepeatOptions, RepeatCustom, RepeatFormat, TimeProfileRules } from './time-profiles.ts';
import type { BulkItemResult } from './users.ts';

export interface TimeProfile {
  id: number;
  linkId: string | null;
  name: string;
  rules: TimeProfileRules;
}

export interface TimeProfileWrite {
  name: string;
  /** undefined: keep the current one (null on create). */
  linkId?: string | null;
  rules: TimeProfileRules;
}

/** A bulk item: rules null when they broke validateTimeRules' bounds (`invalid_time_rules_settings`). */
export interface TimeProfileBulkItem {
  linkId: string;
  name: string;
  rules: TimeProfileRules | null;
}

export const TIME_PROFILE_LIST_FIELDS: Record<string, ListField> = {
  uid: { column: 'id', type: 'number' },
  link_id: { column: 'link_id', type: 'string' },
  name: { column: 'name', type: 'string' },
};

function cleanCustomOptions(custom: RepeatCustom): CustomRepeatOptions | undefined {
  const options = custom.repeat_options;
  if (!options) return undefined;
  switch (custom.repeat_point_type) {
    case 'week':
      return Array.isArray(options) ? [...options] : undefined;
    case 'month':
      if (Array.isArray(options) || !('format' in options)) return undefined;
      return options.format === 'dayNumbers'
        ? { format: 'dayNumbers', range: [...options.range] }
        : { format: 'parameterizedDay', range: options.range.map(({ week, day }) => ({ week, day })) };
    case 'year':
      return !Array.isArray(options) && 'months' in options ? { months: [...options.months], range: [...options.range] } : undefined;
    case 'day':
      return undefined;
  }
}

/**
 * The rules as stored and shown: only the documented fields (unknown properties dropped), the
 * custom options of the kind `repeat_point_type` uses, an end date only with `format: date`.
 */
export function cleanRules(rules: TimeProfileRules): TimeProfileRules {
  const { is_all_day, date_from, date_to } = rules.time_options;
  const format = rules.repeat_options.repeat_format;
  let repeatFormat: RepeatFormat | undefined;
  if (format) {
    repeatFormat = { repeat_type: format.repeat_type };
    const end = format.repeat_end;
    if (end) repeatFormat.repeat_end = end.format === 'date' ? { format: 'date', date: end.date } : { format: 'never' };
    const custom = format.repeat_custom;
    if (custom) {
      const options = cleanCustomOptions(custom);
      repeatFormat.repeat_custom = {
        repeat_point_type: custom.repeat_point_type,
        repeat_looper: custom.repeat_looper,
        ...(options ? { repeat_options: options } : {}),
      };
    }
  }
  return {
    time_options: { is_all_day, date_from, date_to },
    repeat_options: { repeat_enable: rules.repeat_options.repeat_enable, ...(repeatFormat ? { repeat_format: repeatFormat } : {}) },
  };
}

export function rowToTimeProfile(row: TimeProfileRow): TimeProfile {
  return { id: Number(row.id), linkId: row.link_id, name: row.name, rules: JSON.parse(row.rules) as TimeProfileRules };
}

function toRow(id: number, linkId: string | null, write: { name: string; rules: TimeProfileRules }, createdAt: string, now: string): TimeProfileRow {
  return { id, link_id: linkId, name: write.name, rules: JSON.stringify(cleanRules(write.rules)), created_at: createdAt, modified_at: now };
}

export function timeProfileDirectory(store: Store) {
  const profiles = timeProfilesRepository(store);

  return {
    profiles,

    async create(write: TimeProfileWrite): Promise<number> {
      return store.transaction(
        async (tx) => {
          await assertLinkIdFree(tx, profiles, 'time profile', write.linkId);
          const [id] = await store.allocateIds(tx, 'time_profiles', 1);
          const now = nowIso();
          await profiles.upsert(tx, [toRow(id, write.linkId ?? null, write, now, now)]);
          return id;
        },
        { exclusive: true },
      );
    },

    async get(id: number): Promise<TimeProfile> {
      return rowToTimeProfile(await existing(store.db, profiles, 'time profile', id));
    },

    async replace(id: number, write: TimeProfileWrite): Promise<void> {
      await store.transaction(
        async (tx) => {
          const row = await existing(tx, profiles, 'time profile', id);
          await assertLinkIdFree(tx, profiles, 'time profile', write.linkId, id);
          const linkId = write.linkId === undefined ? row.link_id : write.linkId;
          await profiles.upsert(tx, [toRow(id, linkId, write, row.created_at, nowIso())]);
        },
        { exclusive: true },
      );
    },

    delete: (id: number) => deleteOne(store, profiles, 'time profile', id),

    async list(spec: ListSpec): Promise<{ items: TimeProfile[]; total: number }> {
      const { rows, total } = await pagedList<TimeProfileRow>(store.db, 'time_profiles', TIME_PROFILE_LIST_FIELDS, spec);
      return { items: rows.map(rowToTimeProfile), total };
    },

    /** Create/update by link_id, in order, in one transaction; invalid rules fail their item only. */
    async bulkUpsertByLinkId(items: readonly TimeProfileBulkItem[]): Promise<BulkItemResult[]> {
      return store.transaction(
        async (tx) => {
          const now = nowIso();
          const batch = new LinkBatch<TimeProfileRow>();
          batch.remember(await profiles.byLinkIds(tx, [...new Set(items.map((i) => i.linkId))]));
          const results = items.map((item): BulkItemResult => {
            const result = { link_id: item.linkId, has_dublicates: false };
            if (!item.rules) return { ...result, success: false, extended_info: 'invalid_time_rules_settings' };
            const current = batch.linked(item.linkId);
            batch.put(current, toRow(current?.id ?? 0, item.linkId, { name: item.name, rules: item.rules }, current?.created_at ?? now, now));
            return { ...result, success: true, extended_info: current ? 'updated' : 'created' };
          });
          await batch.write(store, tx, 'time_profiles', profiles.upsert);
          return results;
        },
        { exclusive: true },
      );
    },

    bulkDeleteByLinkId: (linkIds: readonly string[]) => bulkDeleteByLinkIds(store, profiles, linkIds),
  };
}

export type TimeProfileDirectory = ReturnType<typeof timeProfileDirectory>;
