/** Settings of an exponential backoff. */
export interface BackoffOptions {
  /** Delay before the first retry, in milliseconds. */
  initialDelayMs: number;
  /** Upper bound of any delay, in milliseconds. */
  maxDelayMs: number;
  /** Random spread as a fraction of the delay (0.2 means ±20%). */
  jitter?: number;
}

/**
 * Returns the delay before retry number `retry` (1 for the first retry):
 * `initialDelayMs * 2^(retry - 1)`, spread by the jitter and capped at
 * `maxDelayMs`. `random` exists so tests can pin the jitter.
 */
export function backoffDelay(
  retry: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, retry - 1);
  const base = Math.min(
    options.maxDelayMs,
    options.initialDelayMs * 2 ** Math.min(exponent, 30),
  );
  const jitter = options.jitter ?? 0.2;
  const spread = base * jitter * (2 * random() - 1);
  return Math.max(0, Math.min(options.maxDelayMs, Math.round(base + spread)));
}
