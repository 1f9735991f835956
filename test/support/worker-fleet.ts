import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureProcess, startFixture } from './processes';
import { ProcessedEntry, readProcessingLog } from './processing-log';

/** A lifecycle event a worker printed. */
export interface WorkerEvent {
  type: string;
  partitions?: number[];
  reason?: string;
  at?: number;
  message?: string;
}

/** Settings shared by every worker of a fleet. */
export interface FleetOptions {
  mongoUrl: string;
  database: string;
  topic: string;
  groupId: string;
  brokerOptions?: Record<string, unknown>;
  consumerOptions?: Record<string, unknown>;
  handlerOptions?: Record<string, unknown>;
  env?: Record<string, string>;
}

/** One consumer process of a fleet. */
export class Worker {
  constructor(
    readonly name: string,
    readonly process: FixtureProcess,
    readonly logPath: string,
  ) {}

  /** Lifecycle events printed so far. */
  events(): WorkerEvent[] {
    return this.process.lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as WorkerEvent);
  }

  /** Partitions this worker owns according to its own events. */
  owned(): number[] {
    const owned = new Set<number>();
    for (const event of this.events()) {
      if (event.type === 'consumer.partitions.assigned') {
        event.partitions?.forEach((partition) => owned.add(partition));
      }
      if (
        event.type === 'consumer.partitions.revoked' ||
        event.type === 'consumer.partitions.lost'
      ) {
        event.partitions?.forEach((partition) => owned.delete(partition));
      }
    }
    return [...owned].sort((a, b) => a - b);
  }

  processed(): ProcessedEntry[] {
    return readProcessingLog(this.logPath);
  }
}

/** Consumer processes of one group, each with its own processing log. */
export class WorkerFleet {
  readonly workers: Worker[] = [];
  private readonly directory = mkdtempSync(join(tmpdir(), 'csb-fleet-'));

  constructor(private readonly options: FleetOptions) {}

  /** Starts a worker and waits until it joined the group. */
  async start(
    name: string,
    extraEnv: Record<string, string> = {},
  ): Promise<Worker> {
    const logPath = join(this.directory, `${name}.log`);
    const { options } = this;
    const child = startFixture('consumer-worker', {
      MONGO_URL: options.mongoUrl,
      DATABASE: options.database,
      TOPIC: options.topic,
      GROUP_ID: options.groupId,
      WORKER_NAME: name,
      PROCESSING_LOG: logPath,
      BROKER_OPTIONS: JSON.stringify(options.brokerOptions ?? {}),
      CONSUMER_OPTIONS: JSON.stringify(options.consumerOptions ?? {}),
      HANDLER_OPTIONS: JSON.stringify(options.handlerOptions ?? {}),
      ...options.env,
      ...extraEnv,
    });
    const worker = new Worker(name, child, logPath);
    this.workers.push(worker);
    await child.waitForLine(/"type":"ready"/);
    return worker;
  }

  /** Every processing log entry of every worker. */
  processed(): ProcessedEntry[] {
    return this.workers.flatMap((worker) => worker.processed());
  }

  /** Stops every worker that still runs (SIGTERM, then SIGKILL). */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        worker.process.child.kill('SIGCONT');
        await worker.process.kill('SIGTERM');
      }),
    );
  }
}
