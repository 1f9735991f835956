import type { LogFields } from '../../core/logging/broker-logger';

function formatValue(value: unknown): string {
  if (value instanceof Error) {
    return JSON.stringify(value.message);
  }
  if (typeof value === 'string') {
    return value;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Circular structures and BigInt values cannot be serialized.
    return String(value);
  }
}

/**
 * Appends `fields` to `message` as `key=value` pairs, skipping `context`
 * and undefined values. An `Error` value prints its message only.
 */
export function appendLogFields(message: string, fields?: LogFields): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (key === 'context' || value === undefined) {
      continue;
    }
    parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.length > 0 ? `${message} ${parts.join(' ')}` : message;
}

/** Returns the stack of the first `Error` among the fields, if any. */
export function findErrorStack(fields?: LogFields): string | undefined {
  for (const value of Object.values(fields ?? {})) {
    if (value instanceof Error) {
      return value.stack;
    }
  }
  return undefined;
}
