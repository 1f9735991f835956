import type {
  ConsumePhaseResult,
  ConsumerJob,
  ConsumerRequest,
  ConsumerStatus,
} from '../protocol';
import { delay } from '../util/wait';
import { WorkerHandle } from './worker-handle';

/** One consumer process of a fleet. */
export interface FleetMember {
  job: ConsumerJob;
  worker: WorkerHandle<ConsumerRequest>;
}

/** Outcome of a wait for deliveries. */
export interface DeliveryWait {
  complete: boolean;
  /** Reason the wait ended early, when it did. */
  reason?: string;
}

const POLL_MS = 50;

/**
 * Tells whether the members of one group own every partition exactly once,
 * in shares that differ by at most one, as the settled range assignment
 * does. A group that covers its partitions unevenly is still rebalancing.
 */
function isSettledCover(assignments: number[][], partitions: number): boolean {
  const owned = assignments.flat().sort((a, b) => a - b);
  const shares = assignments.map((assignment) => assignment.length);
  return (
    owned.length === partitions &&
    owned.every((partition, index) => partition === index) &&
    Math.max(...shares) - Math.min(...shares) <= 1
  );
}

/**
 * Consumer worker processes of one workload, possibly of several groups,
 * driven together: start, wait for the partition assignment, pause, run a
 * phase, collect its figures, stop.
 */
export class ConsumerFleet {
  private constructor(
    readonly members: FleetMember[],
    private readonly onStopped: () => void,
  ) {}

  /**
   * Starts one consumer per job, job `n` on worker `n`. `onStopped` runs
   * once the fleet stopped, so the workers can serve another fleet.
   */
  static async start(
    jobs: ConsumerJob[],
    workers: Array<WorkerHandle<ConsumerRequest>>,
    onStopped: () => void,
  ): Promise<ConsumerFleet> {
    const members = jobs.map((job, index) => ({
      job,
      worker: workers[index],
    }));
    const fleet = new ConsumerFleet(members, onStopped);
    const started = await Promise.allSettled(
      members.map(({ job, worker }) => worker.request({ type: 'start', job })),
    );
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) {
      await fleet.stop();
      throw (failure as PromiseRejectedResult).reason;
    }
    return fleet;
  }

  /**
   * Waits until, in every group, the members own each partition exactly
   * once in even shares (peers without partitions are ready at once), and
   * the assignment held for two polls in a row.
   */
  async waitUntilAssigned(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let stablePolls = 0;
    let last = '';
    while (stablePolls < 2) {
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for the partition ` +
            `assignment to settle; last seen: ${last}`,
        );
      }
      const statuses = await Promise.all(
        this.members.map(({ worker }) =>
          worker.request<ConsumerStatus>({ type: 'status' }),
        ),
      );
      const byGroup = new Map<string, number[][]>();
      let partitions = 0;
      statuses.forEach((status, index) => {
        const { job } = this.members[index];
        partitions = job.partitions;
        if (status.assignment !== null) {
          const group = byGroup.get(job.groupId) ?? [];
          group.push(status.assignment);
          byGroup.set(job.groupId, group);
        }
      });
      const snapshot = JSON.stringify([...byGroup]);
      const covered = [...byGroup.values()].every((assignments) =>
        isSettledCover(assignments, partitions),
      );
      stablePolls = covered && snapshot === last ? stablePolls + 1 : 0;
      last = snapshot;
      if (covered && byGroup.size === 0) {
        return;
      }
      await delay(200);
    }
  }

  pause(): Promise<void> {
    return this.all({ type: 'pause' });
  }

  resume(): Promise<void> {
    return this.all({ type: 'resume' });
  }

  /** Starts a phase for sequence numbers `0..size-1` in every member. */
  async beginPhase(size: number, recordLatency: boolean): Promise<void> {
    await this.all({ type: 'phase', size, recordLatency });
    for (const { worker } of this.members) {
      worker.count = 0;
    }
  }

  /** Messages handled in the current phase, summed over the members. */
  delivered(): number {
    return this.members.reduce((sum, { worker }) => sum + worker.count, 0);
  }

  /**
   * Waits until the members handled `expected` messages in total. Gives up
   * when nothing arrived for `stallMs` or after `timeoutMs`.
   */
  async waitForDeliveries(
    expected: number,
    stallMs: number,
    timeoutMs: number,
  ): Promise<DeliveryWait> {
    const deadline = Date.now() + timeoutMs;
    let lastCount = -1;
    let lastChange = Date.now();
    for (;;) {
      const count = this.delivered();
      if (count >= expected) {
        return { complete: true };
      }
      if (count !== lastCount) {
        lastCount = count;
        lastChange = Date.now();
      }
      if (Date.now() - lastChange > stallMs) {
        return {
          complete: false,
          reason: `no message arrived for ${stallMs} ms at ${count} of ${expected}`,
        };
      }
      if (Date.now() > deadline) {
        return {
          complete: false,
          reason: `timed out after ${timeoutMs} ms at ${count} of ${expected}`,
        };
      }
      await delay(POLL_MS);
    }
  }

  /** Collects every member's figures for the current phase. */
  collect(): Promise<ConsumePhaseResult[]> {
    return Promise.all(
      this.members.map(({ worker }) =>
        worker.request<ConsumePhaseResult>({ type: 'collect' }, 120_000),
      ),
    );
  }

  /** Stops every member's consumer (each leaves its group). */
  async stop(): Promise<void> {
    await Promise.allSettled(
      this.members.map(({ worker }) =>
        worker.request({ type: 'stop' }, 60_000),
      ),
    );
    this.onStopped();
  }

  private async all(request: ConsumerRequest): Promise<void> {
    await Promise.all(
      this.members.map(({ worker }) => worker.request(request)),
    );
  }
}
