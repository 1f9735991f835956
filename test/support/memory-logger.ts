import type { BrokerLogger, LogFields } from '../../lib/core';

/** One line written to a {@link MemoryLogger}. */
export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields;
}

/** A broker logger that keeps every line, for assertions on logs. */
export class MemoryLogger implements BrokerLogger {
  readonly lines: LoggedLine[] = [];

  debug(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'debug', message, fields });
  }

  info(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'info', message, fields });
  }

  warn(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'warn', message, fields });
  }

  error(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'error', message, fields });
  }

  /** Lines whose message matches. */
  matching(pattern: RegExp): LoggedLine[] {
    return this.lines.filter((line) => pattern.test(line.message));
  }
}
