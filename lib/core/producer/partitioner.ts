import { v2 as murmur2 } from 'murmurhash';

/**
 * Seed of Kafka's murmur2 partitioner. With it, a key maps to the same
 * partition number as with Kafka's default Java partitioner for the same
 * partition count.
 */
const KAFKA_MURMUR2_SEED = 0x9747b28c;

/**
 * Returns the partition of a key: MurmurHash2 (32-bit, Kafka's seed) of the
 * key's UTF-8 bytes, made positive with `& 0x7fffffff`, modulo the count.
 * The result depends only on the key and the count, in every process and
 * every version of this library.
 */
export function partitionForKey(key: string, partitions: number): number {
  return (murmur2(key, KAFKA_MURMUR2_SEED) & 0x7fffffff) % partitions;
}

/** Spreads messages without a key over the partitions in turn. */
export class RoundRobinPartitioner {
  private counter: number;

  constructor(start = Math.floor(Math.random() * 1024)) {
    this.counter = start;
  }

  /** Returns the next partition, cycling through `0..partitions-1`. */
  next(partitions: number): number {
    const partition = this.counter % partitions;
    this.counter = (this.counter + 1) % Number.MAX_SAFE_INTEGER;
    return partition;
  }
}
