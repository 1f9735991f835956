import { DeadLetterHeaders } from '../../lib/core';
import {
  buildDeadLetterMessage,
  trimStack,
} from '../../lib/core/consumer/dead-letter';

describe('buildDeadLetterMessage', () => {
  const record = {
    topic: 'orders',
    partition: 2,
    offset: { _data: '82abc' },
    timestamp: new Date('2026-01-02T03:04:05.000Z'),
    message: {
      id: '65a1b2c3d4e5f60718293a4b',
      key: 'order-7',
      value: { total: 10 },
      headers: { 'event-type': 'created' },
      timestamp: new Date('2026-01-02T03:04:05.000Z'),
    },
  };

  it('keeps key, value and headers and describes the failure', () => {
    const message = buildDeadLetterMessage(record, new Error('boom'), 4);
    expect(message.key).toBe('order-7');
    expect(message.value).toEqual({ total: 10 });
    expect(message.headers).toMatchObject({
      'event-type': 'created',
      [DeadLetterHeaders.errorMessage]: 'boom',
      [DeadLetterHeaders.attempts]: '4',
      [DeadLetterHeaders.originalTopic]: 'orders',
      [DeadLetterHeaders.originalPartition]: '2',
      [DeadLetterHeaders.originalOffset]: '{"_data":"82abc"}',
      [DeadLetterHeaders.originalMessageId]: '65a1b2c3d4e5f60718293a4b',
      [DeadLetterHeaders.originalTimestamp]: '2026-01-02T03:04:05.000Z',
    });
  });

  it('marks replayed records, which have no offset', () => {
    const message = buildDeadLetterMessage(
      { ...record, offset: null },
      new Error('boom'),
      1,
    );
    expect(message.headers?.[DeadLetterHeaders.originalOffset]).toBe(
      'replayed',
    );
  });

  it('cuts a long message between characters', () => {
    // 3,999 letters, then an emoji made of two UTF-16 code units.
    const text = `${'a'.repeat(3_999)}\u{1F600}tail`;
    const message = buildDeadLetterMessage(record, new Error(text), 1);
    const header = message.headers![DeadLetterHeaders.errorMessage];
    expect(header).toBe(`${'a'.repeat(3_999)}... (4005 characters in all)`);
  });
});

describe('trimStack', () => {
  it('keeps at most fifteen lines', () => {
    const error = new Error('deep');
    error.stack = Array.from({ length: 40 }, (_, line) => `at f${line}`).join(
      '\n',
    );
    expect(trimStack(error).split('\n')).toHaveLength(15);
  });
});
