import { ChangeStreamBrokerError } from './broker-error';
import { BrokerErrorCode } from './error-codes';

/** Identifies one partition of one topic, as seen by one group. */
export interface GroupPartition {
  groupId: string;
  topic: string;
  partition: number;
}

function describe(target: GroupPartition): string {
  return (
    `group "${target.groupId}", topic "${target.topic}", ` +
    `partition ${target.partition}`
  );
}

/**
 * An offset commit was rejected because another member owns the partition
 * under a newer generation. The caller lost the partition.
 */
export class OffsetFencedError extends ChangeStreamBrokerError {
  constructor(
    readonly target: GroupPartition,
    readonly generation: number,
  ) {
    super(
      BrokerErrorCode.OffsetFenced,
      `Offset commit for ${describe(target)} with generation ${generation} ` +
        'was rejected: a newer owner took the partition over.',
    );
  }
}

/** A stored offset belongs to another topic or collection incarnation. */
export class OffsetMismatchError extends ChangeStreamBrokerError {
  constructor(
    readonly target: GroupPartition,
    detail: string,
  ) {
    super(
      BrokerErrorCode.OffsetMismatch,
      `Stored offset for ${describe(target)} cannot be used: ${detail}. ` +
        'Reset the offsets with broker.admin().resetOffsets() to continue.',
    );
  }
}

/** The server no longer has the change history a stored offset points to. */
export class HistoryLostError extends ChangeStreamBrokerError {
  constructor(
    readonly target: GroupPartition,
    cause?: unknown,
  ) {
    super(
      BrokerErrorCode.HistoryLost,
      `The change history for ${describe(target)} is gone: the committed ` +
        'offset fell off the server change history (oplog). Reset the ' +
        'offsets or use onHistoryLost: "replay".',
      { cause },
    );
  }
}

/** An operation needs a partition that this member does not own. */
export class PartitionNotOwnedError extends ChangeStreamBrokerError {
  constructor(readonly target: GroupPartition) {
    super(
      BrokerErrorCode.PartitionNotOwned,
      `This member does not own ${describe(target)}. Seek from the member ` +
        'that owns it (broker.admin().describeGroup() lists the owners), ' +
        'or stop the group and use broker.admin().resetOffsets().',
    );
  }
}

/** An admin operation needs a group without live members. */
export class GroupActiveError extends ChangeStreamBrokerError {
  constructor(
    readonly groupId: string,
    readonly members: string[],
  ) {
    super(
      BrokerErrorCode.GroupActive,
      `Group "${groupId}" has ${members.length} live member(s) ` +
        `(${members.join(', ')}). Stop them first, or seek from a ` +
        'running consumer with consumer.seek().',
    );
  }
}

/** The offset storage failed to read or write. */
export class OffsetStorageError extends ChangeStreamBrokerError {
  constructor(message: string, cause?: unknown) {
    super(BrokerErrorCode.OffsetStorageFailed, message, {
      cause,
      retriable: true,
    });
  }
}
