import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const output = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const value = Number(output.trim());
    ticksPerSecond = Number.isFinite(value) && value > 0 ? value : 100;
  }
  return ticksPerSecond;
}

/**
 * Returns the CPU time (user + system) that process `pid` has used so far,
 * in microseconds, from `/proc/<pid>/stat`. Returns `undefined` when that
 * file cannot be read (no such process, or not Linux). The kernel counts
 * the time in clock ticks, usually 10 ms, so compare only readings taken
 * seconds apart.
 */
export function processCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) {
    return undefined;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces; the fields
  // after it start with the state (field 3). utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1e6) / clockTicks() : undefined;
}
