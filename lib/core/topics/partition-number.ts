import { InvalidPartitionError } from '../errors';

/**
 * Returns `partition` when it is an integer from 0 to `partitionCount - 1`
 * and throws an {@link InvalidPartitionError} naming `topic` otherwise.
 */
export function validatePartition(
  topic: string,
  partition: unknown,
  partitionCount: number,
): number {
  if (
    typeof partition !== 'number' ||
    !Number.isInteger(partition) ||
    partition < 0 ||
    partition >= partitionCount
  ) {
    throw new InvalidPartitionError(topic, partition, partitionCount);
  }
  return partition;
}
