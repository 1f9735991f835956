import { ConfigurationError } from '../errors';

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'function') {
    return 'a function';
  }
  return String(value);
}

/** Throws unless `value` is an integer within `[minimum, maximum]`. */
export function requireInteger(
  name: string,
  value: unknown,
  minimum: number,
  maximum = Number.MAX_SAFE_INTEGER,
): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < minimum ||
    value > maximum
  ) {
    const range =
      maximum === Number.MAX_SAFE_INTEGER
        ? `an integer >= ${minimum}`
        : `an integer from ${minimum} to ${maximum}`;
    throw new ConfigurationError(
      `Invalid ${name}: ${describeValue(value)}; expected ${range}.`,
    );
  }
  return value;
}

/** Returns `fallback` when `value` is undefined, else validates it. */
export function optionalInteger(
  name: string,
  value: unknown,
  fallback: number,
  minimum: number,
  maximum?: number,
): number {
  return value === undefined
    ? fallback
    : requireInteger(name, value, minimum, maximum);
}

/** Throws unless `value` is a non-empty string. */
export function requireNonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigurationError(
      `Missing ${name}: expected a non-empty string, got ${describeValue(value)}.`,
    );
  }
  return value;
}

/** Returns `fallback` when `value` is undefined, else requires a boolean. */
export function optionalBoolean(
  name: string,
  value: unknown,
  fallback: boolean,
): boolean {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'boolean') {
    throw new ConfigurationError(
      `Invalid ${name}: ${describeValue(value)}; expected true or false.`,
    );
  }
  return value;
}

/** Throws unless `value` is one of `allowed`. */
export function optionalChoice<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) {
    return fallback;
  }
  if (!allowed.includes(value as T)) {
    throw new ConfigurationError(
      `Invalid ${name}: ${describeValue(value)}; expected one of ` +
        `${allowed.map((choice) => JSON.stringify(choice)).join(', ')}.`,
    );
  }
  return value as T;
}
