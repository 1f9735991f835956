import { findSecantusdBinary } from './secantusd-binary';
import { SecantusdServer, SecantusdServerOptions } from './secantusd-server';

/** Source of a resolved database, in the order the sources are tried. */
export type DatabaseSource =
  'MONGO_URL' | 'testcontainers' | 'secantusd' | 'mongodb-memory-server';

/** A replica-set database for tests or the demo. */
export interface ResolvedDatabase {
  /** Connection string. It may contain credentials: mask it before printing. */
  url: string;
  source: DatabaseSource;
  /** One line for logs, without credentials. */
  description: string;
  /** The SecantusDB binary, when the database is a SecantusDB server. */
  secantusdBinary?: string;
  /** Stops whatever the resolution started (nothing for `MONGO_URL`). */
  stop(): Promise<void>;
}

/** Options for {@link resolveDatabase}. */
export interface ResolveDatabaseOptions {
  /** Flags for a SecantusDB server started by the resolution. */
  secantusd?: Omit<SecantusdServerOptions, 'binary'>;
  /** Receives one line per source tried. */
  log?: (line: string) => void;
}

const HOW_TO_GET_A_DATABASE = [
  'No MongoDB replica set is available. Use one of:',
  '  1. MONGO_URL=mongodb://host:port/?replicaSet=rs0 (any replica set,',
  '     for example `docker compose up -d` with this repository),',
  '  2. a running Docker engine (testcontainers starts mongo:8),',
  '  3. `bash scripts/install-secantusdb.sh` (a local SecantusDB server),',
  '  4. internet access, so mongodb-memory-server can download mongod.',
].join('\n');

async function tryTestcontainers(): Promise<ResolvedDatabase | undefined> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const { MongoDBContainer } = await import('@testcontainers/mongodb');
  const container = await new MongoDBContainer('mongo:8.0').start();
  return {
    url: `${container.getConnectionString()}?directConnection=true`,
    source: 'testcontainers',
    description: `testcontainers mongo:8.0 (${container.getId().slice(0, 12)})`,
    stop: async () => {
      await container.stop();
    },
  };
}

async function trySecantusd(
  options: ResolveDatabaseOptions,
): Promise<ResolvedDatabase | undefined> {
  const binary = findSecantusdBinary();
  if (!binary) {
    return undefined;
  }
  const server = new SecantusdServer({ ...options.secantusd, binary });
  await server.start();
  return {
    url: server.url,
    source: 'secantusd',
    description: `${binary} on ${server.url} (data in ${server.storagePath})`,
    secantusdBinary: binary,
    stop: () => server.stop(),
  };
}

async function tryMemoryServer(): Promise<ResolvedDatabase | undefined> {
  const { MongoMemoryReplSet } = await import('mongodb-memory-server-core');
  const replicaSet = await MongoMemoryReplSet.create({
    replSet: { count: 1, storageEngine: 'wiredTiger' },
  });
  return {
    url: replicaSet.getUri(),
    source: 'mongodb-memory-server',
    description: `mongodb-memory-server replica set ${replicaSet.getUri()}`,
    stop: async () => {
      await replicaSet.stop();
    },
  };
}

/**
 * Resolves one database: `MONGO_URL`, then testcontainers when a Docker
 * engine responds, then a SecantusDB server, then mongodb-memory-server.
 * Throws an error listing all four when none is available.
 */
export async function resolveDatabase(
  options: ResolveDatabaseOptions = {},
): Promise<ResolvedDatabase> {
  const log = options.log ?? (() => undefined);

  const url = process.env.MONGO_URL;
  if (url) {
    return {
      url,
      source: 'MONGO_URL',
      description: 'MONGO_URL',
      stop: async () => undefined,
    };
  }

  const attempts: Array<[string, () => Promise<ResolvedDatabase | undefined>]> =
    [
      ['testcontainers', tryTestcontainers],
      ['secantusd', () => trySecantusd(options)],
      ['mongodb-memory-server', tryMemoryServer],
    ];
  const failures: string[] = [];
  for (const [name, attempt] of attempts) {
    try {
      const database = await attempt();
      if (database) {
        log(`database: ${database.description}`);
        return database;
      }
      failures.push(`${name}: not available`);
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
    log(`database: ${failures[failures.length - 1]}`);
  }
  throw new Error(
    `${HOW_TO_GET_A_DATABASE}\nTried:\n  ${failures.join('\n  ')}`,
  );
}
