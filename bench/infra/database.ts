import { rmSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import { findSecantusdBinary } from '../../scripts/database/secantusd-binary';
import { SecantusdServer } from '../../scripts/database/secantusd-server';
import { onExit, onInterrupt } from './child-processes';

/** Change-history limits given to a SecantusDB server the bench starts. */
export interface OplogSettings {
  maxEntries: number;
  retentionSeconds: number;
}

/** Name and version of the database server, from `buildInfo`. */
export interface ServerInfo {
  name: string;
  /** MongoDB version the server reports. */
  version: string;
  /** SecantusDB's own version, when the server is SecantusDB. */
  secantusVersion?: string;
}

/** The database under test. */
export interface BenchDatabase {
  url: string;
  source: 'MONGO_URL' | 'secantusd';
  /** One line for the output, without credentials. */
  description: string;
  server: ServerInfo;
  /** Limits set on the started server; `undefined` for `MONGO_URL`. */
  oplog?: OplogSettings;
  /** Process id of the started server; `undefined` for `MONGO_URL`. */
  pid?: number;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'No database: set MONGO_URL to a MongoDB replica set, or install the ' +
  'SecantusDB server with `bash scripts/install-secantusdb.sh`.';

async function readServerInfo(url: string): Promise<ServerInfo> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    const secantusVersion =
      typeof info.secantusVersion === 'string'
        ? info.secantusVersion
        : undefined;
    return {
      name: secantusVersion ? 'SecantusDB' : 'MongoDB',
      version: String(info.version),
      secantusVersion,
    };
  } finally {
    await client.close();
  }
}

function hideCredentials(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * Uses `MONGO_URL` when it is set; otherwise starts a SecantusDB server on
 * loopback whose change history keeps `oplog.maxEntries` entries for
 * `oplog.retentionSeconds`, so a backlog of that size stays resumable.
 */
export async function startDatabase(
  oplog: OplogSettings,
): Promise<BenchDatabase> {
  const url = process.env.MONGO_URL;
  if (url) {
    return {
      url,
      source: 'MONGO_URL',
      description: `MONGO_URL ${hideCredentials(url)}`,
      server: await readServerInfo(url),
      stop: async () => undefined,
    };
  }

  const binary = findSecantusdBinary();
  if (!binary) {
    throw new Error(INSTALL_HINT);
  }
  const server = new SecantusdServer({
    binary,
    oplogMaxEntries: oplog.maxEntries,
    oplogRetentionSeconds: oplog.retentionSeconds,
  });
  const removeKill = onExit(() => {
    if (server.pid !== undefined) {
      process.kill(server.pid, 'SIGKILL');
    }
    rmSync(server.storagePath, { recursive: true, force: true });
    rmSync(`${server.storagePath}.log`, { force: true });
  });
  const stop = async (): Promise<void> => {
    removeInterrupt();
    removeKill();
    await server.stop();
  };
  const removeInterrupt = onInterrupt(stop);
  await server.start();
  return {
    url: server.url,
    source: 'secantusd',
    description: `${binary} on ${server.url}`,
    server: await readServerInfo(server.url),
    oplog,
    pid: server.pid,
    stop,
  };
}
