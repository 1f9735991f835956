import { existsSync, readFileSync } from 'node:fs';

/** One line of a consumer worker's processing log. */
export interface ProcessedEntry {
  worker: string;
  n: number;
  key: string | null;
  partition: number;
  id: string;
  at: number;
}

/** Reads a processing log written by test/fixtures/consumer-worker.ts. */
export function readProcessingLog(path: string): ProcessedEntry[] {
  if (!existsSync(path)) {
    return [];
  }
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ProcessedEntry);
}
