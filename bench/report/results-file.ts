import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Writes the results of a run as `<directory>/<start time>[-quick].json`
 * and returns the file's path.
 */
export function writeResultsFile(
  directory: string,
  startedAt: Date,
  quick: boolean,
  results: unknown,
): string {
  const stamp = startedAt
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\..*$/, 'Z');
  const path = resolve(
    join(directory, `${stamp}${quick ? '-quick' : ''}.json`),
  );
  mkdirSync(directory, { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}
