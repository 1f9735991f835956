import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/**
 * Names under which SecantusDB releases ship their MongoDB-compatible server,
 * in order of preference: the Rust server (`secantusd-mdb` in some releases,
 * `secantusd-rs` in others) before the pure-Python one.
 */
export const SECANTUSD_COMMANDS = [
  'secantusd-mdb',
  'secantusd-rs',
  'secantusd-py',
] as const;

const repositoryRoot = resolve(__dirname, '..', '..');

/** Tells whether `path` names a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds a SecantusDB server executable: `SECANTUSD_BIN` first, then the
 * repository's `.venv` (made by `scripts/install-secantusdb.sh`), then `PATH`.
 * Returns `undefined` when none is installed.
 */
export function findSecantusdBinary(): string | undefined {
  const explicit = process.env.SECANTUSD_BIN;
  if (explicit) {
    return isExecutable(explicit) ? explicit : undefined;
  }

  const directories = [
    join(repositoryRoot, '.venv', 'bin'),
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
  ];
  for (const command of SECANTUSD_COMMANDS) {
    for (const directory of directories) {
      const candidate = join(directory, command);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}
