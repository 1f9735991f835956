import type { ConsumerJob, ConsumerRequest, PeerName } from '../protocol';
import { ConsumerFleet } from './consumer-fleet';
import { WorkerHandle } from './worker-handle';

/**
 * Consumer worker processes spawned once and reused by the fleets of one
 * peer, so that a workload pays the process start-up (loading and compiling
 * the TypeScript sources) only once.
 */
export class ConsumerPool {
  private readonly workers: Array<WorkerHandle<ConsumerRequest>>;
  private busy = false;

  /**
   * Spawns `size` workers named `<prefix>-<n>`; `nodeOptionsOf(n)` gives
   * extra Node flags for worker `n` (such as `--cpu-prof`).
   */
  constructor(
    size: number,
    prefix: string,
    logDirectory: string,
    nodeOptionsOf: (index: number) => string[] = () => [],
  ) {
    this.workers = Array.from({ length: size }, (_, index) =>
      WorkerHandle.spawn<ConsumerRequest>(
        'consumer-worker',
        `${prefix}-${index}`,
        logDirectory,
        nodeOptionsOf(index),
      ),
    );
  }

  /**
   * Waits until every worker loaded the modules of `peers`, so that the
   * start-up work does not overlap a measurement.
   */
  async load(...peers: PeerName[]): Promise<void> {
    await Promise.all(
      this.workers.flatMap((worker) =>
        peers.map((peer) => worker.request({ type: 'load', peer })),
      ),
    );
  }

  /** Starts one consumer per job on the first workers of the pool. */
  async startFleet(jobs: ConsumerJob[]): Promise<ConsumerFleet> {
    if (jobs.length > this.workers.length) {
      throw new Error(
        `The pool has ${this.workers.length} workers; ${jobs.length} consumers ` +
          'were requested.',
      );
    }
    if (this.busy) {
      throw new Error('The pool runs a fleet already: stop it first.');
    }
    this.busy = true;
    try {
      return await ConsumerFleet.start(
        jobs,
        this.workers.slice(0, jobs.length),
        () => {
          this.busy = false;
        },
      );
    } catch (error) {
      this.busy = false;
      throw error;
    }
  }

  /** Ends every worker process. */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map((worker) => worker.stop({ type: 'exit' })),
    );
  }
}
