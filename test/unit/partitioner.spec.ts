import {
  partitionForKey,
  RoundRobinPartitioner,
} from '../../lib/core/producer/partitioner';

describe('partitionForKey', () => {
  // Expected partitions follow Kafka's murmur2 partitioner: the published
  // murmur2 values of these keys, made positive, modulo the count.
  it.each([
    ['21', -973932308, 16],
    ['foobar', -790332482, 7],
    ['a-little-bit-long-string', -985981536, 64],
  ])('maps %s like Kafka does', (key, murmur2, partitions) => {
    expect(partitionForKey(key, partitions)).toBe(
      (murmur2 & 0x7fffffff) % partitions,
    );
  });

  it('keeps a key on one partition', () => {
    const first = partitionForKey('order-42', 12);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(partitionForKey('order-42', 12)).toBe(first);
    }
  });

  it('hashes the UTF-8 bytes of non-ASCII keys', () => {
    expect(partitionForKey('ação', 1_000)).not.toBe(
      partitionForKey('acao', 1_000),
    );
  });
});

describe('RoundRobinPartitioner', () => {
  it('cycles through every partition', () => {
    const partitioner = new RoundRobinPartitioner(0);
    const picks = Array.from({ length: 6 }, () => partitioner.next(3));
    expect(picks).toEqual([0, 1, 2, 0, 1, 2]);
  });
});
