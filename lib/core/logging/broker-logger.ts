/** Structured context attached to a log line: ids, counts, the error. */
export type LogFields = Record<string, unknown>;

/**
 * Logger the core writes to. Every line carries a `context` field with the
 * name of the component that wrote it (for example `ChangeStreamConsumer`).
 * Nest apps get an adapter to Nest's `Logger`; other apps may pass any object
 * with these four methods.
 */
export interface BrokerLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Log levels in increasing severity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVEL_RANK: Record<LogLevel, number> = {
  debug: 0,
  info: 1,
  warn: 2,
  error: 3,
  silent: 4,
};

/** Formats fields as `key=value` pairs; an `error` field prints its stack. */
export function formatLogFields(fields: LogFields = {}): string {
  const parts: string[] = [];
  let stack = '';
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'context' || value === undefined) {
      continue;
    }
    if (value instanceof Error) {
      parts.push(`${key}=${JSON.stringify(value.message)}`);
      stack = value.stack ? `\n${value.stack}` : '';
      continue;
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${key}=${text}`);
  }
  return (parts.length > 0 ? ` ${parts.join(' ')}` : '') + stack;
}

/** The default logger: one line per entry on stderr, `info` and above. */
export class ConsoleBrokerLogger implements BrokerLogger {
  private readonly minimum: number;

  constructor(level: LogLevel = 'info') {
    this.minimum = LEVEL_RANK[level];
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    if (LEVEL_RANK[level] < this.minimum) {
      return;
    }
    const context = fields?.context ? ` [${String(fields.context)}]` : '';
    process.stderr.write(
      `${new Date().toISOString()} ${level.toUpperCase()}${context} ` +
        `${message}${formatLogFields(fields)}\n`,
    );
  }
}

/** A logger that drops everything. */
export const silentLogger: BrokerLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * Returns a logger that adds `context` and fixed fields (ids of the group,
 * member, topic) to every line written through it.
 */
export function withContext(
  logger: BrokerLogger,
  context: string,
  fixed: LogFields = {},
): BrokerLogger {
  const merge = (fields?: LogFields): LogFields => ({
    context,
    ...fixed,
    ...fields,
  });
  return {
    debug: (message, fields) => logger.debug(message, merge(fields)),
    info: (message, fields) => logger.info(message, merge(fields)),
    warn: (message, fields) => logger.warn(message, merge(fields)),
    error: (message, fields) => logger.error(message, merge(fields)),
  };
}
