import { once } from 'node:events';
import { mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { createClient } from 'redis';
import { findFreePort } from '../../scripts/database/free-port';
import { isExecutable } from '../../scripts/database/secantusd-binary';
import { onInterrupt, spawnTracked } from './child-processes';

/** A Redis server started by the bench. */
export interface BenchRedis {
  url: string;
  version: string;
  /** Settings passed on the command line, for the report. */
  settings: string[];
  pid?: number;
  stop(): Promise<void>;
}

/** Reason the Redis peer cannot run. */
export interface RedisUnavailable {
  unavailable: string;
}

/** Folder that `scripts/install-redis-server.sh` unpacks Debian's packages into. */
const UNPACKED = resolve(__dirname, '../../.redis');

interface RedisBinary {
  path: string;
  /** Extra environment, for the libraries of an unpacked copy. */
  env: NodeJS.ProcessEnv;
}

function findUnpackedLibraries(): string[] {
  const lib = join(UNPACKED, 'usr/lib');
  try {
    return readdirSync(lib, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(lib, entry.name));
  } catch {
    return [];
  }
}

function findRedisServer(): RedisBinary | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(directory, 'redis-server');
    if (isExecutable(candidate)) {
      return { path: candidate, env: process.env };
    }
  }
  const unpacked = join(UNPACKED, 'usr/bin/redis-server');
  if (!isExecutable(unpacked)) {
    return undefined;
  }
  const libraries = [...findUnpackedLibraries(), dirname(unpacked)];
  const inherited = process.env.LD_LIBRARY_PATH;
  return {
    path: unpacked,
    env: {
      ...process.env,
      LD_LIBRARY_PATH: [...libraries, ...(inherited ? [inherited] : [])].join(
        delimiter,
      ),
    },
  };
}

async function readVersion(url: string, deadline: number): Promise<string> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    const client = createClient({
      url,
      socket: { reconnectStrategy: false },
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const info = await client.info('server');
      await client.quit();
      return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    } catch (error) {
      lastError = error;
      await client.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(
    `redis-server did not respond on ${url}: ${String(lastError)}`,
  );
}

/**
 * Starts `redis-server` on 127.0.0.1 on a free port, with every setting that
 * matters given on the command line (no config file is read): an
 * append-only file synced once a second, no RDB snapshots, data in a fresh
 * temporary directory. Returns why it cannot run when the binary is missing.
 */
export async function startRedis(): Promise<BenchRedis | RedisUnavailable> {
  const binary = findRedisServer();
  if (!binary) {
    return {
      unavailable:
        'redis-server not found on PATH or in .redis/; run ' +
        '`bash scripts/install-redis-server.sh` to add the Redis Streams ' +
        'column.',
    };
  }
  const port = await findFreePort();
  const directory = mkdtempSync(join(tmpdir(), 'csb-bench-redis-'));
  const settings = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    directory,
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
  ];
  const log = openSync(join(directory, 'redis.log'), 'a');
  const child = spawnTracked('server', binary.path, settings, {
    env: binary.env,
    stdio: ['ignore', log, log],
  });
  const url = `redis://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    removeInterrupt();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(directory, { recursive: true, force: true });
  };
  const removeInterrupt = onInterrupt(stop);
  try {
    const version = await readVersion(url, Date.now() + 10_000);
    return {
      url,
      version,
      settings: settings.slice(6),
      pid: child.pid,
      stop,
    };
  } catch (error) {
    await stop();
    return { unavailable: (error as Error).message };
  }
}
