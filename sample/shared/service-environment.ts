import type { LogLevel } from '@nestjs/common';

/** Settings a sample service reads from its environment. */
export interface ServiceEnvironment {
  /** Name of the service, used as the broker's client id. */
  service: string;
  /** `MONGO_URL`: connection string of a replica set. */
  mongoUrl: string;
  /** `PORT`: HTTP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** `BROKER_DATABASE`: database of the topics, shared by both services. */
  brokerDatabase: string;
  /** Database of the service's own data. */
  database: string;
  /** `LOG_LEVEL` and the levels above it, for Nest's logger. */
  logLevels: LogLevel[];
}

/** Per-service names and defaults for {@link readServiceEnvironment}. */
export interface ServiceEnvironmentDefaults {
  service: string;
  defaultPort: number;
  /** Variable that names the service's own database. */
  databaseVariable: string;
  defaultDatabase: string;
}

/** Default `MONGO_URL`: a replica set on the local machine. */
export const DEFAULT_MONGO_URL = 'mongodb://127.0.0.1:27017/?replicaSet=rs0';

/** Default `BROKER_DATABASE`, the same in both services. */
export const DEFAULT_BROKER_DATABASE = 'purchase-events';

function readPort(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') {
    return fallback;
  }
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(
      `Invalid PORT ${JSON.stringify(value)}: expected an integer from 0 ` +
        'to 65535.',
    );
  }
  return port;
}

/** Nest's log levels from the most to the least detailed. */
const LOG_LEVELS: LogLevel[] = [
  'verbose',
  'debug',
  'log',
  'warn',
  'error',
  'fatal',
];

function readLogLevels(value: string | undefined): LogLevel[] {
  const level = (value || 'log') as LogLevel;
  const index = LOG_LEVELS.indexOf(level);
  if (index < 0) {
    throw new Error(
      `Invalid LOG_LEVEL ${JSON.stringify(value)}: expected one of ` +
        `${LOG_LEVELS.join(', ')}.`,
    );
  }
  return LOG_LEVELS.slice(index);
}

/**
 * Reads `MONGO_URL`, `PORT`, `LOG_LEVEL` (default `log`, so offset commits
 * logged at debug level stay hidden) and the database names.
 */
export function readServiceEnvironment(
  defaults: ServiceEnvironmentDefaults,
  env: NodeJS.ProcessEnv = process.env,
): ServiceEnvironment {
  return {
    service: defaults.service,
    mongoUrl: env.MONGO_URL || DEFAULT_MONGO_URL,
    port: readPort(env.PORT, defaults.defaultPort),
    brokerDatabase: env.BROKER_DATABASE || DEFAULT_BROKER_DATABASE,
    database: env[defaults.databaseVariable] || defaults.defaultDatabase,
    logLevels: readLogLevels(env.LOG_LEVEL),
  };
}
