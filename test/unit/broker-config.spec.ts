import { ConfigurationError } from '../../lib/core';
import { resolveBrokerConfig } from '../../lib/core/config/broker-config';

describe('resolveBrokerConfig', () => {
  const valid = { mongoUri: 'mongodb://localhost:27017', database: 'events' };

  it('fills in the defaults', () => {
    const config = resolveBrokerConfig(valid);
    expect(config.heartbeatIntervalMs).toBe(3_000);
    expect(config.sessionTimeoutMs).toBe(30_000);
    expect(config.autoCreateTopics).toBe(true);
    expect(config.writeConcern).toEqual({ w: 'majority' });
    expect(config.maxPoolSize).toBe(100);
    expect(config.reservedConnections).toBe(25);
  });

  it.each([
    [{ ...valid, mongoUri: undefined }, 'Missing mongoUri'],
    [{ ...valid, mongoUri: '' }, 'Missing mongoUri'],
    [{ ...valid, database: undefined }, 'Missing database'],
    [{ ...valid, database: 'bad/name' }, 'Invalid database'],
    [{ ...valid, mongoUri: 'http://localhost' }, 'Invalid mongoUri'],
    [{ ...valid, heartbeatIntervalMs: 0 }, 'Invalid heartbeatIntervalMs'],
    [
      { ...valid, heartbeatIntervalMs: 1_000, sessionTimeoutMs: 1_500 },
      'Invalid sessionTimeoutMs',
    ],
    [{ ...valid, maxRetries: -1 }, 'Invalid maxRetries'],
    [{ ...valid, logLevel: 'loud' }, 'Invalid logLevel'],
  ])('rejects %j', (config, message) => {
    expect(() => resolveBrokerConfig(config as never)).toThrow(
      ConfigurationError,
    );
    expect(() => resolveBrokerConfig(config as never)).toThrow(message);
  });

  it('masks the password in an invalid connection string', () => {
    expect(() =>
      resolveBrokerConfig({
        mongoUri: 'mongodb://alice:s3cret@',
        database: 'events',
      }),
    ).toThrow(/^(?!.*s3cret)/s);
  });

  it('keeps the stream budget below the pool size', () => {
    const config = resolveBrokerConfig({
      ...valid,
      clientOptions: { maxPoolSize: 4 },
    });
    expect(config.reservedConnections).toBe(2);
  });
});
