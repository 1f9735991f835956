import { InvalidTopicNameError } from '../../lib/core';
import { validateTopicName } from '../../lib/core/topics/topic-name';

describe('validateTopicName', () => {
  it.each(['orders', 'orders.dlq', 'user_events-v2', 'A.b_c-1'])(
    'accepts %s',
    (name) => {
      expect(validateTopicName(name, 'events')).toBe(name);
    },
  );

  it.each([
    ['', 'non-empty'],
    ['has space', 'only letters'],
    ['dollar$', 'only letters'],
    ['.', '"." and ".."'],
    ['..', '"." and ".."'],
    ['__csb_offsets', 'reserved for the broker'],
    ['system.views', 'reserved by MongoDB'],
    ['x'.repeat(201), 'maximum is 200'],
  ])('rejects %j', (name, reason) => {
    expect(() => validateTopicName(name, 'events')).toThrow(
      InvalidTopicNameError,
    );
    expect(() => validateTopicName(name, 'events')).toThrow(reason);
  });

  it('rejects a name whose namespace is too long', () => {
    expect(() => validateTopicName('t'.repeat(200), 'd'.repeat(60))).toThrow(
      'MongoDB allows 255',
    );
  });

  it('rejects a value that is not a string', () => {
    expect(() => validateTopicName(42, 'events')).toThrow(
      InvalidTopicNameError,
    );
  });
});
