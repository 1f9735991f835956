import type { ResolvedDatabase } from '../../scripts/database/resolve-database';

/** Stops the database the global setup started. */
export default async function globalTeardown(): Promise<void> {
  const database = (globalThis as { csbDatabase?: ResolvedDatabase })
    .csbDatabase;
  await database?.stop();
}
