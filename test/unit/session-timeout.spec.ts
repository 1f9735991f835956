import { ConfigurationError } from '../../lib/core';
import { resolveBrokerConfig } from '../../lib/core/config/broker-config';
import { resolveConsumerConfig } from '../../lib/core/consumer/consumer-config';

describe('sessionTimeoutMs check', () => {
  const broker = { mongoUri: 'mongodb://localhost:27017', database: 'events' };
  const defaults = { heartbeatIntervalMs: 3_000, sessionTimeoutMs: 30_000 };

  it.each([
    [
      'broker',
      () =>
        resolveBrokerConfig({
          ...broker,
          heartbeatIntervalMs: 1_000,
          sessionTimeoutMs: 1_999,
        }),
    ],
    [
      'consumer',
      () =>
        resolveConsumerConfig(
          {
            groupId: 'g',
            topic: 't',
            heartbeatIntervalMs: 1_000,
            sessionTimeoutMs: 1_999,
          },
          defaults,
        ),
    ],
  ])('advises twice the heartbeat for the %s', (_kind, resolve) => {
    expect(resolve).toThrow(ConfigurationError);
    expect(resolve).toThrow(
      'Invalid sessionTimeoutMs: 1999 ms is less than twice ' +
        'heartbeatIntervalMs (1000 ms)',
    );
    expect(resolve).toThrow('Use at least 2000 ms');
    expect(resolve).not.toThrow(/three times/);
  });

  it('accepts exactly twice the heartbeat', () => {
    const resolved = resolveBrokerConfig({
      ...broker,
      heartbeatIntervalMs: 1_000,
      sessionTimeoutMs: 2_000,
    });
    expect(resolved.sessionTimeoutMs).toBe(2_000);
    const consumer = resolveConsumerConfig(
      {
        groupId: 'g',
        topic: 't',
        heartbeatIntervalMs: 1_000,
        sessionTimeoutMs: 2_000,
      },
      defaults,
    );
    expect(consumer.sessionTimeoutMs).toBe(2_000);
  });
});
