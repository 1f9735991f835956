/**
 * `npm run bench`: measures this broker against the raw MongoDB driver,
 * @dafaz/change-stream-broker and Redis Streams on one server in one run.
 * See BENCHMARKS.md for the method and `--help` for the options.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { installExitHandlers, isInterrupted } from './infra/child-processes';
import { BenchDatabase, startDatabase } from './infra/database';
import { describeMachine } from './infra/machine';
import { startRedis } from './infra/redis-server';
import { warmUpServer } from './infra/server-warm-up';
import { BenchOptions, Family, HELP, parseOptions } from './options';
import {
  summarizeCpuProfile,
  type ProfileSummary,
} from './profile/cpu-profile';
import { FigureBook } from './report/figures';
import { writeResultsFile } from './report/results-file';
import { renderTables } from './report/table';
import type { BacklogResult } from './workloads/phases';
import type { WorkloadContext } from './workloads/context';
import { CONSUME_SHAPES } from './workloads/consume';
import { runMemoryFamily } from './workloads/memory';
import { profileDirectory, runPeerFamilies } from './workloads/peer-families';

function log(line: string): void {
  const seconds = (process.uptime() - startUptime).toFixed(0).padStart(4);
  console.log(`[${seconds} s] ${line}`);
}

const startUptime = process.uptime();

/** Seconds of single inserts before the first measured run. */
const SERVER_WARM_UP_SECONDS = 5;

function readOptions(): BenchOptions | undefined {
  try {
    return parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    console.error('Run `npm run bench -- --help` for the options.');
    process.exit(2);
  }
}

function describeOplog(database: BenchDatabase, options: BenchOptions): string {
  if (!database.oplog) {
    return (
      'Database from MONGO_URL: its oplog must hold a backlog of ' +
      `${options.memoryBacklog} messages for the memory run to resume.`
    );
  }
  return (
    `SecantusDB started with --oplog-max-entries ` +
    `${database.oplog.maxEntries} --oplog-retention-seconds ` +
    `${database.oplog.retentionSeconds} (server defaults: 100000 entries, ` +
    `3600 s), so a backlog of ${options.memoryBacklog} messages stays ` +
    'resumable.'
  );
}

async function runFamilies(
  context: WorkloadContext,
  failures: Array<{ family: string; error: string }>,
): Promise<void> {
  const { families } = context.options;
  const has = (family: Family): boolean => families.includes(family);
  const steps: Array<[string, boolean, () => Promise<void>]> = [
    [
      'produce, consume, latency and scaling',
      has('produce') || has('consume') || has('latency') || has('scaling'),
      () =>
        runPeerFamilies(context, {
          produce: has('produce'),
          backlog: has('consume'),
          latency: has('latency'),
          scaling: has('scaling'),
        }),
    ],
    ['memory', has('memory'), () => runMemoryFamily(context)],
  ];
  for (const [name, enabled, run] of steps) {
    if (!enabled || isInterrupted()) {
      continue;
    }
    log(`${name}: starting`);
    try {
      await run();
    } catch (error) {
      const text =
        error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${name}: failed: ${text}`);
      failures.push({ family: name, error: text });
    }
  }
}

/** Summarizes the consumer CPU profiles of the 1 x 1 consume runs. */
function summarizeProfiles(context: WorkloadContext): ProfileSummary[] {
  const directory = profileDirectory(context);
  if (!existsSync(directory)) {
    return [];
  }
  return readdirSync(directory)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => {
      const peer = name.replace(/-consumer\.cpuprofile$/, '');
      const result = context.details[
        `consume/${peer}/${CONSUME_SHAPES[0].label}`
      ] as BacklogResult | undefined;
      const member = result?.consume;
      const window =
        member && member.firstArrivalMicros !== undefined
          ? {
              start: member.firstArrivalMicros,
              end: member.lastArrivalMicros!,
            }
          : undefined;
      return summarizeCpuProfile(join(directory, name), window);
    });
}

function printProfiles(profiles: ProfileSummary[]): void {
  for (const profile of profiles) {
    console.log(
      `CPU profile ${profile.file} (${profile.windowed ? 'measured window' : 'whole process'}): ` +
        `${profile.busyMs.toFixed(0)} ms busy, ${profile.idleMs.toFixed(0)} ms idle`,
    );
    for (const [area, ms] of Object.entries(profile.areas).sort(
      (a, b) => b[1] - a[1],
    )) {
      console.log(
        `  ${area.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms ` +
          `${((ms / profile.busyMs) * 100).toFixed(1).padStart(5)} %`,
      );
    }
    console.log('  top functions by self time:');
    for (const entry of profile.top) {
      console.log(
        `  ${(entry.share * 100).toFixed(1).padStart(5)} %  ${entry.name}  ` +
          entry.location,
      );
    }
    console.log('');
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  if (!options) {
    process.stdout.write(HELP);
    return;
  }
  installExitHandlers();
  const startedAt = new Date();
  const runId = startedAt.getTime().toString(36);
  const logDirectory = mkdtempSync(join(tmpdir(), 'csb-bench-'));
  const machine = describeMachine();
  log(
    `${options.quick ? 'Quick' : 'Full'} run on ${machine.cores} cores, ` +
      `${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ` +
      `${machine.node}; load average ${machine.loadAverageAtStart
        .map((value) => value.toFixed(2))
        .join(' ')}`,
  );
  log(`worker logs: ${logDirectory}`);

  const database = await startDatabase({
    maxEntries: options.oplogMaxEntries,
    retentionSeconds: options.oplogRetentionSeconds,
  });
  log(
    `database: ${database.server.name} ` +
      `${database.server.secantusVersion ?? database.server.version} ` +
      `(reports MongoDB ${database.server.version}), ${database.description}`,
  );
  log(describeOplog(database, options));
  const warmRate = await warmUpServer(database.url, SERVER_WARM_UP_SECONDS);
  log(
    `server warm-up: ${SERVER_WARM_UP_SECONDS} s of single inserts, ` +
      `${warmRate} in the last second`,
  );

  const redis = options.peers.includes('redis-streams')
    ? await startRedis()
    : { unavailable: 'not selected with --peers' };
  log(
    'unavailable' in redis
      ? `redis-streams: n/a (${redis.unavailable})`
      : `redis: ${redis.version} on ${redis.url} (${redis.settings.join(' ')})`,
  );

  const figures = new FigureBook();
  const context: WorkloadContext = {
    options,
    database,
    redis,
    logDirectory,
    runId,
    figures,
    details: {},
    log,
  };
  const failures: Array<{ family: string; error: string }> = [];
  try {
    await runFamilies(context, failures);
  } finally {
    if (!('unavailable' in redis)) {
      await redis.stop();
    }
    await database.stop();
  }

  figures.computeRatios();
  const profiles = options.cpuProfile ? summarizeProfiles(context) : [];
  const finishedAt = new Date();
  const path = writeResultsFile(
    options.resultsDirectory,
    startedAt,
    options.quick,
    {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      machine: { ...machine, loadAverageAtEnd: loadavg() },
      server: {
        ...database.server,
        source: database.source,
        oplog: database.oplog ?? null,
      },
      redis:
        'unavailable' in redis
          ? { unavailable: redis.unavailable }
          : { version: redis.version, settings: redis.settings },
      settings: options,
      figures: figures.all(),
      details: context.details,
      profiles,
      failures,
    },
  );

  console.log('');
  for (const line of renderTables(figures.all(), options)) {
    console.log(line);
  }
  printProfiles(profiles);
  log(`results: ${path}`);
  if (failures.length > 0) {
    log(`${failures.length} workload families failed; see above.`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
