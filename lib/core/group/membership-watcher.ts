import type { ChangeStream, Db } from 'mongodb';
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
 * Watches the member and ownership collections, so local members rebalance
 * as soon as another member joins, leaves or releases a partition instead
 * of waiting for their next heartbeat. Heartbeat-only updates do not
 * match. One stream serves every consumer of a broker.
 */
export class MembershipWatcher {
  private readonly members = new Set<GroupMember>();
  private stream?: ChangeStream;
  private loop?: Promise<void>;
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
    this.loop ??= this.run();
    return () => {
      this.members.delete(member);
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.stream?.close().catch(ignoreError);
    await this.loop;
  }

  private notify(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      for (const member of this.members) {
        member.requestReconcile();
      }
    }, DEBOUNCE_MS);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const stream = this.db.watch(
          [
            {
              $match: {
                'ns.coll': {
                  $in: [
                    InternalCollections.members,
                    InternalCollections.partitions,
                  ],
                },
                $or: [
                  { operationType: { $in: ['insert', 'delete', 'replace'] } },
                  {
                    operationType: 'update',
                    'updateDescription.updatedFields.owner': { $exists: true },
                  },
                ],
              },
            },
            { $project: { _id: 1, operationType: 1 } },
          ],
          { maxAwaitTimeMS: 1_000 },
        );
        this.stream = stream;
        while (!this.stopped) {
          const event = await this.slots.run(() => tryNextEvent(stream));
          failures = 0;
          if (event) {
            this.notify();
          }
        }
      } catch (error) {
        await this.stream?.close().catch(ignoreError);
        if (this.stopped) {
          return;
        }
        failures += 1;
        // The watch reopens from now: members still reconcile on every
        // heartbeat, so a missed event only slows a rebalance down.
        const wait = backoffDelay(failures, this.retry);
        this.logger.warn('Membership watch failed; reopening', {
          attempt: failures,
          retryInMs: wait,
          error,
        });
        await delay(wait);
      }
    }
  }
}
