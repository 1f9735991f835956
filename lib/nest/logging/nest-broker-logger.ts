import { Logger } from '@nestjs/common';
import type {
  BrokerLogger,
  LogFields,
  LogLevel,
} from '../../core/logging/broker-logger';
import { appendLogFields, findErrorStack } from './log-fields';

const LEVEL_RANK: Record<LogLevel, number> = {
  debug: 0,
  info: 1,
  warn: 2,
  error: 3,
  silent: 4,
};

/** Context of core lines that carry no `context` field. */
const DEFAULT_CONTEXT = 'ChangeStreamBroker';

/**
 * Writes the core's log lines through Nest's `Logger`. The core's `context`
 * field becomes the Nest context, the other fields are appended as
 * `key=value`, and an `error` line passes the error's stack to
 * `Logger.error`, so the application's logger settings apply.
 */
export class NestBrokerLogger implements BrokerLogger {
  private readonly logger = new Logger();
  private readonly minimumRank: number;

  /**
   * @param level - Lowest level written. Nest's own log level filter
   * applies on top of it. @default 'debug'
   */
  constructor(level: LogLevel = 'debug') {
    this.minimumRank = LEVEL_RANK[level];
  }

  debug(message: string, fields?: LogFields): void {
    if (this.writes('debug')) {
      this.logger.debug(appendLogFields(message, fields), contextOf(fields));
    }
  }

  info(message: string, fields?: LogFields): void {
    if (this.writes('info')) {
      this.logger.log(appendLogFields(message, fields), contextOf(fields));
    }
  }

  warn(message: string, fields?: LogFields): void {
    if (this.writes('warn')) {
      this.logger.warn(appendLogFields(message, fields), contextOf(fields));
    }
  }

  error(message: string, fields?: LogFields): void {
    if (this.writes('error')) {
      this.logger.error(
        appendLogFields(message, fields),
        findErrorStack(fields),
        contextOf(fields),
      );
    }
  }

  private writes(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= this.minimumRank;
  }
}

function contextOf(fields?: LogFields): string {
  const context = fields?.context;
  return typeof context === 'string' && context !== ''
    ? context
    : DEFAULT_CONTEXT;
}
