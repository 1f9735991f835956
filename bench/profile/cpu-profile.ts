import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

/** The parts of a V8 `.cpuprofile` file (as `node --cpu-prof` writes it). */
interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  /** Start time in µs of the monotonic clock. */
  startTime: number;
  endTime: number;
  samples: number[];
  /** µs between consecutive samples (the first one since `startTime`). */
  timeDeltas: number[];
}

/** Self time of one function. */
export interface FunctionTime {
  name: string;
  /** Script path relative to the repository, with the 1-based line. */
  location: string;
  area: string;
  selfMs: number;
  /** Share of the busy (non-idle) time in the window. */
  share: number;
}

/** CPU time of a process during a window, by area and by function. */
export interface ProfileSummary {
  file: string;
  /** Whether samples were limited to the measured window. */
  windowed: boolean;
  busyMs: number;
  idleMs: number;
  /** Self time per area (broker core, driver, BSON, GC...), in ms. */
  areas: Record<string, number>;
  top: FunctionTime[];
}

const REPOSITORY_ROOT = resolve(__dirname, '..', '..');

function areaOf(name: string, url: string): string {
  if (name === '(garbage collector)' || name === '(program)') {
    return name;
  }
  if (url.includes('/lib/core/')) {
    return 'broker core (lib/core)';
  }
  if (url.includes('/bench/')) {
    return 'bench harness';
  }
  if (url.includes('/node_modules/mongodb/')) {
    return 'mongodb driver';
  }
  if (url.includes('/node_modules/bson/')) {
    return 'bson';
  }
  if (url.includes('/node_modules/')) {
    return 'other packages';
  }
  return 'node internals and native code';
}

function locationOf(url: string, line: number): string {
  if (!url) {
    return '(native)';
  }
  const path = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const shown = path.startsWith('/') ? relative(REPOSITORY_ROOT, path) : path;
  return `${shown}:${line + 1}`;
}

/**
 * Sums self time per function over the samples of `file` that fall in
 * `window` (µs of the monotonic clock, which V8 profiles use on Linux);
 * every sample counts when none falls in the window.
 */
export function summarizeCpuProfile(
  file: string,
  window: { start: number; end: number } | undefined,
  topCount = 15,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const times: number[] = [];
  let time = profile.startTime;
  for (const delta of profile.timeDeltas) {
    time += delta;
    times.push(time);
  }
  const inWindow = (index: number): boolean =>
    window === undefined ||
    (times[index] >= window.start && times[index] <= window.end);
  const windowed =
    window !== undefined && profile.samples.some((_, index) => inWindow(index));

  const selfMicros = new Map<string, { frame: FunctionTime; micros: number }>();
  const areas: Record<string, number> = {};
  let busy = 0;
  let idle = 0;
  profile.samples.forEach((nodeId, index) => {
    if (windowed && !inWindow(index)) {
      return;
    }
    const weight = profile.timeDeltas[index + 1] ?? profile.timeDeltas[index];
    const { functionName, url, lineNumber } = nodes.get(nodeId)!.callFrame;
    if (functionName === '(idle)') {
      idle += weight;
      return;
    }
    busy += weight;
    const name = functionName || '(anonymous)';
    const area = areaOf(name, url);
    areas[area] = (areas[area] ?? 0) + weight;
    const location = locationOf(url, lineNumber);
    const key = `${name} ${location}`;
    const entry = selfMicros.get(key) ?? {
      frame: { name, location, area, selfMs: 0, share: 0 },
      micros: 0,
    };
    entry.micros += weight;
    selfMicros.set(key, entry);
  });

  const top = [...selfMicros.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, topCount)
    .map(({ frame, micros }) => ({
      ...frame,
      selfMs: micros / 1000,
      share: busy > 0 ? micros / busy : 0,
    }));
  for (const area of Object.keys(areas)) {
    areas[area] /= 1000;
  }
  const shown = relative(REPOSITORY_ROOT, file);
  return {
    file: shown.startsWith('..') ? file : shown,
    windowed,
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    areas,
    top,
  };
}
