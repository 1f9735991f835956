import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDatabase } from '../../scripts/database/resolve-database';
import { maskConnectionString } from '../../lib/core/logging/mask-connection-string';

/** Resolves one database for the whole run and shares it through env. */
export default async function globalSetup(): Promise<void> {
  const database = await resolveDatabase({
    log: (line) => process.stderr.write(`\n${line}`),
  });
  process.env.CSB_TEST_MONGO_URL = database.url;
  process.env.CSB_TEST_DATABASE_SOURCE = database.source;
  if (database.secantusdBinary) {
    process.env.CSB_TEST_SECANTUSD_BIN = database.secantusdBinary;
  }
  (globalThis as { csbDatabase?: typeof database }).csbDatabase = database;

  const directory = join(__dirname, '..', '..', '.tmp');
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, 'test-database.json'),
    JSON.stringify(
      { source: database.source, url: maskConnectionString(database.url) },
      null,
      2,
    ),
  );
  process.stderr.write(`\nTests use ${database.description}\n`);
}
