import { Logger } from '@nestjs/common';
import { NestBrokerLogger } from '../../lib/nest';
import { RecordingLogger } from './nest-test-app';

describe('NestBrokerLogger', () => {
  let recording: RecordingLogger;

  beforeEach(() => {
    recording = new RecordingLogger();
    Logger.overrideLogger(recording);
  });

  afterAll(() => {
    Logger.overrideLogger(true);
  });

  it('maps levels and context', () => {
    const logger = new NestBrokerLogger();

    logger.debug('Polled', { context: 'TopicReader', events: 3 });
    logger.info('Connected', {
      context: 'ChangeStreamBroker',
      uri: 'mongodb://user:****@127.0.0.1:27017/',
    });
    logger.warn('Retrying', { context: 'ChangeStreamConsumer', attempt: 2 });

    expect(recording.lines).toEqual([
      { level: 'debug', message: 'Polled events=3', params: ['TopicReader'] },
      {
        level: 'log',
        message: 'Connected uri=mongodb://user:****@127.0.0.1:27017/',
        params: ['ChangeStreamBroker'],
      },
      {
        level: 'warn',
        message: 'Retrying attempt=2',
        params: ['ChangeStreamConsumer'],
      },
    ]);
  });

  it('passes the stack of an error', () => {
    const logger = new NestBrokerLogger();
    const error = new Error('boom');

    logger.error('Handler failed', {
      context: 'ChangeStreamConsumer',
      partitions: [0, 1],
      error,
    });

    expect(recording.lines).toHaveLength(1);
    const [line] = recording.lines;
    expect(line.level).toBe('error');
    expect(line.message).toBe('Handler failed partitions=[0,1] error="boom"');
    expect(line.params).toEqual([error.stack, 'ChangeStreamConsumer']);
  });

  it('uses a default context', () => {
    new NestBrokerLogger().info('Started');

    expect(recording.lines).toEqual([
      { level: 'log', message: 'Started', params: ['ChangeStreamBroker'] },
    ]);
  });

  it('drops lines below its level', () => {
    const logger = new NestBrokerLogger('warn');

    logger.debug('hidden');
    logger.info('hidden');
    logger.warn('shown');

    expect(recording.lines.map((line) => line.message)).toEqual(['shown']);
  });

  it('survives values that cannot be serialized', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;

    new NestBrokerLogger().info('Odd', { circular, big: BigInt(1) });

    expect(recording.lines[0].message).toBe(
      'Odd circular=[object Object] big=1',
    );
  });
});
