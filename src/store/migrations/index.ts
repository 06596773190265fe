import type { Kysely } from 'kysely';
import type { StoreKind } from '../database.ts';
import * as directory from './0001_directory.ts';
import * as accessObjects from './0002_access_objects.ts';
import * as platform from './0003_platform.ts';
import * as changeNotifications from './0004_change_notifications.ts';
import * as partialUserIndexes from './0005_partial_user_indexes.ts';

export interface StoreMigration {
  up(db: Kysely<any>, kind: StoreKind): Promise<void>;
}

/** Every migration, in order. Names are permanent: never rename or reorder one that has shipped. */
export const migrations: Record<string, StoreMigration> = {
  '0001_directory': directory,
  '0002_access_objects': accessObjects,
  '0003_platform': platform,
  '0004_change_notifications': changeNotifications,
  '0005_partial_user_indexes': partialUserIndexes,
};
