import { backoffDelay } from '../../lib/core/util/backoff';

describe('backoffDelay', () => {
  const options = { initialDelayMs: 100, maxDelayMs: 1_000, jitter: 0.2 };

  it('doubles per retry without jitter', () => {
    const middle = () => 0.5;
    expect(backoffDelay(1, options, middle)).toBe(100);
    expect(backoffDelay(2, options, middle)).toBe(200);
    expect(backoffDelay(3, options, middle)).toBe(400);
  });

  it('spreads by the jitter', () => {
    expect(backoffDelay(1, options, () => 0)).toBe(80);
    expect(backoffDelay(1, options, () => 1)).toBe(120);
  });

  it('never exceeds the maximum', () => {
    expect(backoffDelay(30, options, () => 1)).toBe(1_000);
  });
});
