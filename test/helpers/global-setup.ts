/**
 * Decides once whether the PostgreSQL half runs. It runs when a server answers at
 * TEST_DATABASE_URL; otherwise the suite says so loudly — and fails when REQUIRE_POSTGRES=1
 * (as .ci/run sets), so CI cannot pass on SQLite alone.
 */
import type { TestProject } from 'vitest/node';
import { TEST_DATABASE_URL, postgresReachable } from './postgres.ts';

export default async function setup(project: TestProject): Promise<void> {
  const reachable = await postgresReachable();
  if (!reachable) {
    const message = `PostgreSQL is not reachable at ${TEST_DATABASE_URL}: the PostgreSQL half of the suite is SKIPPED (set TEST_DATABASE_URL).`;
    if (process.env.REQUIRE_POSTGRES === '1') throw new Error(`${message} REQUIRE_POSTGRES=1 forbids that.`);
    process.stderr.write(`\n*** ${message}\n\n`);
  } else {
    process.stderr.write(`\nStores under test: sqlite, postgres (${TEST_DATABASE_URL})\n\n`);
  }
  project.provide('postgres', reachable);
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: boolean;
  }
}
