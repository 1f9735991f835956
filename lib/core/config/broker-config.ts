import { hostname } from 'node:os';
import type { MongoClientOptions, WriteConcernSettings } from 'mongodb';
import { ConnectionString } from 'mongodb-connection-string-url';
import { ConfigurationError } from '../errors';
import {
  BrokerLogger,
  ConsoleBrokerLogger,
  LogLevel,
} from '../logging/broker-logger';
import { maskConnectionString } from '../logging/mask-connection-string';
import type { OffsetStorage } from '../offsets/offset-storage';
import {
  optionalBoolean,
  optionalChoice,
  optionalInteger,
  requireNonEmptyString,
} from './validate';

/** Configuration of a {@link ChangeStreamBroker}. */
export interface ChangeStreamBrokerConfig {
  /**
   * Connection string of a MongoDB replica set or sharded cluster (change
   * streams need one), for example `mongodb://host:27017/?replicaSet=rs0`.
   */
  mongoUri: string;
  /** Database that holds the topics and the broker's bookkeeping. */
  database: string;
  /**
   * Connection attempts made by `connect()`, and consecutive failed stream
   * reopens after which a consumer reports an error (it keeps retrying).
   * @default 5
   */
  maxRetries?: number;
  /**
   * Delay before the first retry in milliseconds; it doubles on each retry.
   * @default 1000
   */
  retryDelayMs?: number;
  /** Upper bound of a retry delay, in milliseconds. @default 30000 */
  maxRetryDelayMs?: number;
  /** How often consumer-group members heartbeat, in milliseconds. @default 3000 */
  heartbeatIntervalMs?: number;
  /**
   * A member whose last heartbeat is older than this is dead and its
   * partitions move to live members, in milliseconds. @default 30000
   */
  sessionTimeoutMs?: number;
  /**
   * Create a missing topic when a producer or consumer first uses it.
   * @default true
   */
  autoCreateTopics?: boolean;
  /** Partition count of auto-created topics. @default 1 */
  defaultPartitions?: number;
  /**
   * Bound on how long `connect()` waits for the server on each attempt, in
   * milliseconds. @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * Largest stored message (key, value, headers and bookkeeping), in bytes.
   * The server's document limit minus 16 KiB for the change event envelope
   * is both the default and the maximum.
   */
  maxMessageBytes?: number;
  /** Write concern of message inserts and offset commits. @default { w: 'majority' } */
  writeConcern?: WriteConcernSettings;
  /** Extra options for the `MongoClient` (pool size, TLS, and so on). */
  clientOptions?: MongoClientOptions;
  /**
   * Pooled connections kept free for publishes and commits: change streams
   * of this broker never hold more than `maxPoolSize - reservedConnections`
   * connections at once.
   * @default max(2, a quarter of maxPoolSize)
   */
  reservedConnections?: number;
  /** Where consumers store offsets. @default MongoOffsetStorage in `database` */
  offsetStorage?: OffsetStorage;
  /** Logger of the core. @default a console logger at `logLevel` */
  logger?: BrokerLogger;
  /** Level of the default console logger. @default 'info' */
  logLevel?: LogLevel;
  /** Prefix of member ids, to tell machines apart. @default the host name */
  clientId?: string;
}

/** {@link ChangeStreamBrokerConfig} with every default applied. */
export interface ResolvedBrokerConfig {
  mongoUri: string;
  maskedUri: string;
  database: string;
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  heartbeatIntervalMs: number;
  sessionTimeoutMs: number;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  connectTimeoutMs: number;
  maxMessageBytes?: number;
  writeConcern: WriteConcernSettings;
  clientOptions: MongoClientOptions;
  maxPoolSize: number;
  reservedConnections: number;
  offsetStorage?: OffsetStorage;
  logger: BrokerLogger;
  clientId: string;
}

/** Largest partition count a topic may have. */
export const MAX_PARTITIONS = 1024;

/** The Node driver's default `maxPoolSize`. */
const DRIVER_DEFAULT_POOL_SIZE = 100;

const INVALID_DATABASE_CHARACTERS = /[/\\. "$*<>:|?\0]/;

function validateMongoUri(value: unknown): string {
  const uri = requireNonEmptyString('mongoUri', value);
  try {
    new ConnectionString(uri);
  } catch (error) {
    throw new ConfigurationError(
      `Invalid mongoUri ${maskConnectionString(uri)}: ` +
        `${(error as Error).message}. Expected a connection string such as ` +
        'mongodb://localhost:27017/?replicaSet=rs0.',
    );
  }
  return uri;
}

function validateDatabase(value: unknown): string {
  const database = requireNonEmptyString('database', value);
  if (
    INVALID_DATABASE_CHARACTERS.test(database) ||
    Buffer.byteLength(database) > 63
  ) {
    throw new ConfigurationError(
      `Invalid database ${JSON.stringify(database)}: a MongoDB database ` +
        'name has at most 63 bytes and none of / \\ . " $ * < > : | ? ' +
        'or spaces.',
    );
  }
  return database;
}

/** Validates a broker configuration and fills in the defaults. */
export function resolveBrokerConfig(
  config: ChangeStreamBrokerConfig,
): ResolvedBrokerConfig {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigurationError(
      'Missing broker configuration: expected an object with mongoUri ' +
        'and database.',
    );
  }
  const mongoUri = validateMongoUri(config.mongoUri);
  const database = validateDatabase(config.database);

  const heartbeatIntervalMs = optionalInteger(
    'heartbeatIntervalMs',
    config.heartbeatIntervalMs,
    3_000,
    10,
  );
  const sessionTimeoutMs = optionalInteger(
    'sessionTimeoutMs',
    config.sessionTimeoutMs,
    30_000,
    100,
  );
  if (sessionTimeoutMs < heartbeatIntervalMs * 2) {
    throw new ConfigurationError(
      `Invalid sessionTimeoutMs: ${sessionTimeoutMs} ms is less than twice ` +
        `heartbeatIntervalMs (${heartbeatIntervalMs} ms), so a live member ` +
        'could be declared dead between two heartbeats. Use at least ' +
        `${heartbeatIntervalMs * 2} ms, or lower heartbeatIntervalMs.`,
    );
  }

  const clientOptions = { ...config.clientOptions };
  const maxPoolSize = optionalInteger(
    'clientOptions.maxPoolSize',
    clientOptions.maxPoolSize,
    DRIVER_DEFAULT_POOL_SIZE,
    2,
  );
  const reservedConnections = optionalInteger(
    'reservedConnections',
    config.reservedConnections,
    Math.max(2, Math.floor(maxPoolSize / 4)),
    1,
    maxPoolSize - 1,
  );

  const retryDelayMs = optionalInteger(
    'retryDelayMs',
    config.retryDelayMs,
    1_000,
    0,
  );
  return {
    mongoUri,
    maskedUri: maskConnectionString(mongoUri),
    database,
    maxRetries: optionalInteger('maxRetries', config.maxRetries, 5, 0),
    retryDelayMs,
    maxRetryDelayMs: optionalInteger(
      'maxRetryDelayMs',
      config.maxRetryDelayMs,
      Math.max(30_000, retryDelayMs),
      retryDelayMs,
    ),
    heartbeatIntervalMs,
    sessionTimeoutMs,
    autoCreateTopics: optionalBoolean(
      'autoCreateTopics',
      config.autoCreateTopics,
      true,
    ),
    defaultPartitions: optionalInteger(
      'defaultPartitions',
      config.defaultPartitions,
      1,
      1,
      MAX_PARTITIONS,
    ),
    connectTimeoutMs: optionalInteger(
      'connectTimeoutMs',
      config.connectTimeoutMs,
      10_000,
      1,
    ),
    maxMessageBytes:
      config.maxMessageBytes === undefined
        ? undefined
        : optionalInteger('maxMessageBytes', config.maxMessageBytes, 0, 1),
    writeConcern: config.writeConcern ?? { w: 'majority' },
    clientOptions,
    maxPoolSize,
    reservedConnections,
    offsetStorage: config.offsetStorage,
    logger:
      config.logger ??
      new ConsoleBrokerLogger(
        optionalChoice<LogLevel>(
          'logLevel',
          config.logLevel,
          ['debug', 'info', 'warn', 'error', 'silent'],
          'info',
        ),
      ),
    clientId: config.clientId ?? hostname(),
  };
}
