import {
  ChangeStream,
  type ChangeStreamUpdateDocument,
  type Db,
  type Document,
} from 'mongodb';
import type { BrokerLogger } from '../logging/broker-logger';
import type { StreamSlots } from '../stream/stream-slots';
import { tryNextEvent } from '../stream/try-next';
import { InternalCollections } from '../topics/internal-collections';
import { backoffDelay } from '../util/backoff';
import { delay } from '../util/delay';
import { ignoreError } from '../util/ignore-error';
import type { GroupMember } from './group-member';

/** How long membership events are gathered before members reconcile. */
const DEBOUNCE_MS = 50;

/**
 * Tells whether a change to a membership collection can change an assignment:
 * a member that joined or left, or a partition whose owner changed.
 * Heartbeats and lease renewals update other fields and do not count.
 */
function changesAssignment(collection: string, event: Document): boolean {
  const operation = event.operationType as string;
  if (['insert', 'delete', 'replace'].includes(operation)) {
    return true;
  }
  if (operation === 'update' && collection === InternalCollections.partitions) {
    const updated = (event as ChangeStreamUpdateDocument).updateDescription
      ?.updatedFields;
    return updated !== undefined && 'owner' in updated;
  }
  return false;
}

/**
 * Watches the member and ownership collections, so local members rebalance
 * as soon as another member joins, leaves or releases a partition instead
 * of waiting for their next heartbeat. One pair of streams serves every
 * consumer of a broker.
 *
 * Each collection gets its own stream with no pipeline, and events are
 * filtered here. A database-wide stream with a `$match` on the namespace
 * would be one stream instead of two. But a server may evaluate that stage
 * for every write in the database; SecantusDB does, at several times the
 * cost of a collection stream. Topics are written far more often than
 * membership changes.
 */
export class MembershipWatcher {
  private readonly members = new Set<GroupMember>();
  private readonly streams = new Set<ChangeStream>();
  private loops?: Promise<void[]>;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly slots: StreamSlots,
    private readonly logger: BrokerLogger,
    private readonly retry: { initialDelayMs: number; maxDelayMs: number },
  ) {}

  /** Notifies `member` of membership changes until the returned function runs. */
  add(member: GroupMember): () => void {
    this.members.add(member);
    this.loops ??= Promise.all([
      this.run(InternalCollections.members),
      this.run(InternalCollections.partitions),
    ]);
    return () => {
      this.members.delete(member);
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(
      [...this.streams].map((stream) => stream.close().catch(ignoreError)),
    );
    await this.loops;
  }

  private notify(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      for (const member of this.members) {
        member.requestReconcile();
      }
    }, DEBOUNCE_MS);
  }

  private async run(collection: string): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const stream = this.db
        .collection(collection)
        .watch([], { maxAwaitTimeMS: 1_000 });
      // The stream delivers changes made after its cursor opens. A member
      // that joined earlier may have missed a release in between, so every
      // member checks the assignment once more.
      stream.once(ChangeStream.INIT, () => this.notify());
      this.streams.add(stream);
      try {
        while (!this.stopped) {
          const event = await this.slots.run(() => tryNextEvent(stream));
          failures = 0;
          if (event && changesAssignment(collection, event)) {
            this.notify();
          }
        }
      } catch (error) {
        if (this.stopped) {
          return;
        }
        failures += 1;
        // The watch reopens from now, and its opening makes every member
        // check the assignment, so no change in between is missed.
        const wait = backoffDelay(failures, this.retry);
        this.logger.warn('Membership watch failed; reopening', {
          collection,
          attempt: failures,
          retryInMs: wait,
          error,
        });
        await delay(wait);
      } finally {
        this.streams.delete(stream);
        await stream.close().catch(ignoreError);
      }
    }
  }
}
