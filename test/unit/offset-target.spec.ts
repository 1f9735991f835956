import {
  ChangeStreamBrokerError,
  ConfigurationError,
  InvalidPartitionError,
} from '../../lib/core';
import {
  idBefore,
  validateOffsetTarget,
} from '../../lib/core/offsets/offset-target';
import { validatePartition } from '../../lib/core/topics/partition-number';

describe('validateOffsetTarget', () => {
  it.each(['earliest', 'latest'])('accepts %j', (target) => {
    expect(validateOffsetTarget('seek target', target)).toBe(target);
  });

  it('accepts a valid Date', () => {
    const time = new Date('2026-12-01T00:00:00Z');
    expect(validateOffsetTarget('seek target', time)).toBe(time);
  });

  it.each([
    ['bogus', '"bogus"'],
    ['', '""'],
    [new Date('x'), 'an invalid Date'],
    [undefined, 'undefined'],
    [null, 'null'],
    [1_700_000_000_000, '1700000000000'],
    [{ to: 'earliest' }, 'an object'],
  ])('rejects %p and names it', (target, shown) => {
    const error = captureError(() =>
      validateOffsetTarget('seek target', target),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toBeInstanceOf(ChangeStreamBrokerError);
    expect(error.message).toContain(`Invalid seek target: ${shown};`);
    expect(error.message).toContain('"earliest"');
    expect(error.message).toContain('"latest"');
    expect(error.message).toContain('a valid Date');
  });
});

describe('validatePartition', () => {
  it.each([0, 1, 2])('accepts partition %d of 3', (partition) => {
    expect(validatePartition('orders', partition, 3)).toBe(partition);
  });

  it.each([
    ['0', 'Invalid partition "0" for topic "orders"'],
    [-1, 'Invalid partition -1 for topic "orders"'],
    [3, 'Invalid partition 3 for topic "orders"'],
    [0.5, 'Invalid partition 0.5 for topic "orders"'],
    [Number.NaN, 'Invalid partition NaN for topic "orders"'],
    [undefined, 'Invalid partition undefined for topic "orders"'],
  ])('rejects %p', (partition, message) => {
    const error = captureError(() => validatePartition('orders', partition, 3));
    expect(error).toBeInstanceOf(InvalidPartitionError);
    expect(error.message).toContain(message);
    expect(error.message).toContain('expected an integer from 0 to 2');
  });
});

describe('idBefore', () => {
  it('keeps whole seconds of the time', () => {
    const time = Date.UTC(2026, 0, 1, 0, 0, 0, 999);
    const seconds = Math.floor(time / 1000);
    expect(idBefore(time)).toBe(
      seconds.toString(16).padStart(8, '0') + '0'.repeat(16),
    );
  });

  it('clamps times before 1970 to the first id', () => {
    expect(idBefore(Date.UTC(1960, 0, 1))).toBe('0'.repeat(24));
  });

  it('clamps times after 2106 to the last second', () => {
    expect(idBefore(Date.UTC(2200, 0, 1))).toBe('ffffffff' + '0'.repeat(16));
  });
});

function captureError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}
