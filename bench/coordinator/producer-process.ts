import type {
  ProduceResult,
  ProduceRun,
  ProducerJob,
  ProducerRequest,
} from '../protocol';
import { WorkerHandle } from './worker-handle';

/** Maximum time a produce run may take beyond its planned length. */
const RUN_MARGIN_MS = 180_000;

function plannedMs(run: ProduceRun): number {
  // A backlog is planned at a pessimistic 1,000 messages a second.
  return run.mode === 'backlog' ? run.count : run.durationMs;
}

/** A producer worker process bound to one peer and topic. */
export class ProducerProcess {
  private constructor(private readonly worker: WorkerHandle<ProducerRequest>) {}

  /** Spawns the worker and connects its producer. */
  static async start(
    job: ProducerJob,
    payloadBytes: number,
    logDirectory: string,
    name: string,
  ): Promise<ProducerProcess> {
    const worker = WorkerHandle.spawn<ProducerRequest>(
      'producer-worker',
      name,
      logDirectory,
    );
    try {
      await worker.request({ type: 'start', job, payloadBytes });
    } catch (error) {
      await worker.stop({ type: 'exit' });
      throw error;
    }
    return new ProducerProcess(worker);
  }

  /** Points the process at another topic with a new producer. */
  async retarget(job: ProducerJob, payloadBytes: number): Promise<void> {
    await this.worker.request({ type: 'start', job, payloadBytes });
  }

  /** Runs one produce run; rejects when a send failed. */
  async run(run: ProduceRun): Promise<ProduceResult> {
    const result = await this.worker.request<ProduceResult>(
      { type: 'run', run },
      plannedMs(run) + RUN_MARGIN_MS,
    );
    if (result.errors.length > 0) {
      throw new Error(
        `Producer ${this.worker.name} failed after ${result.messages} ` +
          `messages: ${result.errors[0]}`,
      );
    }
    return result;
  }

  stop(): Promise<void> {
    return this.worker.stop({ type: 'exit' });
  }
}
