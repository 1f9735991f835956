import { parseArgs } from 'node:util';
import { PEER_NAMES, PeerName } from './protocol';

/** Workload families; `--only` picks some of them. */
export type Family = 'produce' | 'consume' | 'latency' | 'memory' | 'scaling';

const FAMILIES: readonly Family[] = [
  'produce',
  'consume',
  'latency',
  'memory',
  'scaling',
];

/** Settings of one benchmark run. */
export interface BenchOptions {
  quick: boolean;
  families: Family[];
  peers: PeerName[];
  /** Partitions of the topic in the produce, consume and latency runs. */
  partitions: number;
  payloadBytes: number;
  produceSeconds: number;
  backlog: number;
  /** Backlog of the dafaz peer, which reads far slower than the others. */
  dafazBacklog: number;
  rate: number;
  latencySeconds: number;
  memoryBacklog: number;
  scalePartitions: number[];
  scaleMembers: number[];
  scaleBacklog: number;
  scaleLatencySeconds: number;
  oplogMaxEntries: number;
  oplogRetentionSeconds: number;
  cpuProfile: boolean;
  resultsDirectory: string;
}

const FULL: Omit<BenchOptions, 'families' | 'peers' | 'resultsDirectory'> = {
  quick: false,
  partitions: 6,
  payloadBytes: 100,
  produceSeconds: 5,
  backlog: 100_000,
  dafazBacklog: 5_000,
  rate: 200,
  latencySeconds: 10,
  memoryBacklog: 1_000_000,
  scalePartitions: [1, 4, 16, 64],
  scaleMembers: [1, 2, 4],
  scaleBacklog: 10_000,
  scaleLatencySeconds: 3,
  oplogMaxEntries: 5_000_000,
  oplogRetentionSeconds: 10_800,
  cpuProfile: false,
};

const QUICK: Partial<BenchOptions> = {
  quick: true,
  produceSeconds: 0.5,
  backlog: 5_000,
  dafazBacklog: 500,
  latencySeconds: 1,
  memoryBacklog: 10_000,
  scalePartitions: [4, 16],
  scaleMembers: [2],
  scaleBacklog: 2_000,
  scaleLatencySeconds: 1,
};

/** Help text of `npm run bench -- --help`. */
export const HELP = `Usage: npm run bench -- [options]

Compares this broker with the raw MongoDB driver (the ceiling),
@dafaz/change-stream-broker and Redis Streams on one server, and writes
a table to stdout and a JSON file to bench/results/.

Database: MONGO_URL when set, else a SecantusDB server started on
127.0.0.1 (install it with \`bash scripts/install-secantusdb.sh\`).
Redis: redis-server from PATH or .redis/ (npm run bench unpacks it
there), started on 127.0.0.1 on a free port.

Options (defaults of a full run; --quick values in brackets):
  --quick                      small sizes, under 2 minutes
  --only LIST                  families to run, comma-separated:
                               produce,consume,latency,memory,scaling
                               (default: all)
  --peers LIST                 peers, comma-separated: raw-driver,
                               this-broker,dafaz,redis-streams (default:
                               all; raw-driver is always kept, since every
                               ratio refers to it)
  --partitions N               topic partitions of the produce, consume
                               and latency runs (6)
  --payload-bytes N            filler bytes in each message value (100)
  --produce-seconds S          length of each produce run, after a warm-up
                               of half as long (at most 1 s) (5) [0.5]
  --backlog N                  messages in each consume backlog
                               (100000) [5000]
  --dafaz-backlog N            consume backlog of the dafaz peer, which
                               reads far slower (5000) [500]
  --rate N                     offered rate of the latency runs, messages
                               per second (200)
  --latency-seconds S          length of each latency run, after a
                               warm-up of 1 to 2 s (10) [1]
  --memory-backlog N           backlog of the memory run (1000000)
                               [10000]
  --scale-partitions LIST      partition counts of the scaling grid
                               (1,4,16,64) [4,16]
  --scale-members LIST         members per group of the scaling grid
                               (1,2,4) [2]
  --scale-backlog N            backlog of each scaling cell (10000) [2000]
  --scale-latency-seconds S    latency run of each scaling cell (3) [1]
  --oplog-max-entries N        change-history entries the started
                               SecantusDB server keeps (5000000; the
                               server's own default is 100000)
  --oplog-retention-seconds S  change-history retention of that server
                               (10800; the server's default is 3600)
  --cpu-prof                   write V8 CPU profiles of the consumers of
                               the 1 group x 1 member consume run and list
                               their top functions
  --results-dir PATH           where the JSON file goes (bench/results)
  --help                       print this text
`;

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(
      `Invalid --${name} ${JSON.stringify(text)}: expected a positive integer.`,
    );
  }
  return value;
}

function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(
      `Invalid --${name} ${JSON.stringify(text)}: expected a positive number.`,
    );
  }
  return value;
}

function list<T extends string>(
  name: string,
  text: string,
  allowed: readonly T[],
): T[] {
  const items = text.split(',').map((item) => item.trim());
  for (const item of items) {
    if (!allowed.includes(item as T)) {
      throw new Error(
        `Invalid --${name} entry ${JSON.stringify(item)}: expected one of ` +
          `${allowed.join(', ')}.`,
      );
    }
  }
  return items as T[];
}

function integerList(name: string, text: string): number[] {
  return text.split(',').map((item) => positiveInteger(name, item.trim()));
}

/** Flags with a positive integer value, and the option each one sets. */
const INTEGER_FLAGS: Array<[string, keyof BenchOptions]> = [
  ['partitions', 'partitions'],
  ['payload-bytes', 'payloadBytes'],
  ['backlog', 'backlog'],
  ['dafaz-backlog', 'dafazBacklog'],
  ['rate', 'rate'],
  ['memory-backlog', 'memoryBacklog'],
  ['scale-backlog', 'scaleBacklog'],
  ['oplog-max-entries', 'oplogMaxEntries'],
  ['oplog-retention-seconds', 'oplogRetentionSeconds'],
];

/** Flags with a positive number of seconds, and the option each one sets. */
const SECONDS_FLAGS: Array<[string, keyof BenchOptions]> = [
  ['produce-seconds', 'produceSeconds'],
  ['latency-seconds', 'latencySeconds'],
  ['scale-latency-seconds', 'scaleLatencySeconds'],
];

const STRING_FLAGS = [
  'only',
  'peers',
  'scale-partitions',
  'scale-members',
  'results-dir',
  ...INTEGER_FLAGS.map(([flag]) => flag),
  ...SECONDS_FLAGS.map(([flag]) => flag),
];

/** Copies the numeric flags that were given into `options`. */
function applyNumbers(
  values: Record<string, string | boolean | undefined>,
  options: BenchOptions,
): void {
  const record = options as unknown as Record<string, unknown>;
  for (const [flag, key] of INTEGER_FLAGS) {
    const text = values[flag];
    if (typeof text === 'string') {
      record[key] = positiveInteger(flag, text);
    }
  }
  for (const [flag, key] of SECONDS_FLAGS) {
    const text = values[flag];
    if (typeof text === 'string') {
      record[key] = positiveNumber(flag, text);
    }
  }
  const scalePartitions = values['scale-partitions'];
  if (typeof scalePartitions === 'string') {
    options.scalePartitions = integerList('scale-partitions', scalePartitions);
  }
  const scaleMembers = values['scale-members'];
  if (typeof scaleMembers === 'string') {
    options.scaleMembers = integerList('scale-members', scaleMembers);
  }
}

/**
 * Parses the command line. Returns `undefined` for `--help`, and throws an
 * error that names the flag for an invalid value.
 */
export function parseOptions(argv: string[]): BenchOptions | undefined {
  const { values: parsed } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean' },
      quick: { type: 'boolean' },
      'cpu-prof': { type: 'boolean' },
      ...Object.fromEntries(
        STRING_FLAGS.map((flag) => [flag, { type: 'string' as const }]),
      ),
    },
  });
  const values = parsed as Record<string, string | boolean | undefined>;
  if (values.help) {
    return undefined;
  }

  const only = values.only as string | undefined;
  const peers = values.peers as string | undefined;
  const options: BenchOptions = {
    ...FULL,
    ...(values.quick ? QUICK : {}),
    families: only ? list('only', only, FAMILIES) : [...FAMILIES],
    peers: peers ? list('peers', peers, PEER_NAMES) : [...PEER_NAMES],
    resultsDirectory:
      (values['results-dir'] as string | undefined) ?? 'bench/results',
    cpuProfile: values['cpu-prof'] === true,
  };
  if (!options.peers.includes('raw-driver')) {
    options.peers.unshift('raw-driver');
  }
  applyNumbers(values, options);
  return options;
}
