import type { Db } from 'mongodb';
import { InternalCollections } from '../topics/internal-collections';

/** Creates the indexes of the bookkeeping collections (idempotent). */
export async function ensureInternalIndexes(db: Db): Promise<void> {
  await Promise.all([
    db
      .collection(InternalCollections.members)
      .createIndex({ group: 1, topic: 1, heartbeatAt: 1 }, { name: 'live' }),
    db
      .collection(InternalCollections.partitions)
      .createIndex({ group: 1, topic: 1, partition: 1 }, { name: 'group' }),
  ]);
}
