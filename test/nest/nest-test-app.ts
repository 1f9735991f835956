import type {
  INestApplication,
  LoggerService,
  ModuleMetadata,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MongoClient } from 'mongodb';
import { ChangeStreamBroker, silentLogger } from '../../lib/core';
import type { ChangeStreamModuleOptions } from '../../lib/nest';
import { testMongoUrl, uniqueName } from '../support/test-database';

/**
 * Module options for a test: the run's server, a database no other test
 * uses, and short heartbeats so group changes settle quickly.
 */
export function testModuleOptions(
  overrides: Partial<ChangeStreamModuleOptions> = {},
): ChangeStreamModuleOptions {
  return {
    mongoUri: testMongoUrl(),
    database: uniqueName('csb_nest'),
    logger: process.env.CSB_TEST_LOGS ? undefined : silentLogger,
    heartbeatIntervalMs: 200,
    sessionTimeoutMs: 1_500,
    retryDelayMs: 100,
    ...overrides,
  };
}

/** One line written through Nest's logger. */
export interface LogLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
  /** Arguments after the message: the context, after the stack on errors. */
  params: unknown[];
}

/** A Nest logger that keeps every line, for assertions. */
export class RecordingLogger implements LoggerService {
  readonly lines: LogLine[] = [];

  log(message: unknown, ...params: unknown[]): void {
    this.record('log', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.record('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.record('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.record('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.record('verbose', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.record('fatal', message, params);
  }

  /** Lines whose message contains `text`. */
  find(text: string): LogLine[] {
    return this.lines.filter((line) => line.message.includes(text));
  }

  private record(
    level: LogLine['level'],
    message: unknown,
    params: unknown[],
  ): void {
    this.lines.push({ level, message: String(message), params });
  }
}

/**
 * Compiles a testing module and initializes it as an application, so
 * `@OnTopic` consumers are running when the promise resolves. Nest's log
 * lines go to `logger` (a {@link RecordingLogger} by default).
 */
export async function startApp(
  metadata: ModuleMetadata,
  logger: LoggerService = new RecordingLogger(),
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata)
    .setLogger(logger)
    .compile();
  const app = moduleRef.createNestApplication({ logger });
  try {
    await app.init();
  } catch (error) {
    // The broker connected while the module compiled; close it.
    await app.close();
    throw error;
  }
  return app;
}

/**
 * Closes the application, then drops the broker's database with a client
 * of its own (the broker's client is closed by then).
 */
export async function closeApp(app: INestApplication): Promise<void> {
  const database = app.get(ChangeStreamBroker).database;
  await app.close();
  const client = new MongoClient(testMongoUrl());
  try {
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
}
