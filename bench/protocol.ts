/**
 * Messages between the benchmark runner and its worker processes. Every
 * request carries an id, and the worker replies to each one exactly once.
 */

/** Systems compared by the benchmark. */
export type PeerName = 'raw-driver' | 'this-broker' | 'dafaz' | 'redis-streams';

/** Every peer, in the column order of the tables. */
export const PEER_NAMES: readonly PeerName[] = [
  'raw-driver',
  'this-broker',
  'dafaz',
  'redis-streams',
];

/** The value of every benchmark message. */
export interface BenchValue {
  /** Sequence number within one run; -1 marks a warm-up message. */
  seq: number;
  /** Send time in microseconds of the machine's monotonic clock. */
  sentAt: number;
  /** Filler so that messages have a realistic size. */
  data: string;
}

/** Connection and topic of a peer. */
export interface PeerTarget {
  peer: PeerName;
  mongoUrl: string;
  /** Connection string of the Redis server (only for `redis-streams`). */
  redisUrl?: string;
  database: string;
  /** Topic, collection or stream name. */
  topic: string;
  partitions: number;
}

/** Job of one consumer process. */
export interface ConsumerJob extends PeerTarget {
  groupId: string;
  /** Name of this member, unique within its group. */
  memberName: string;
  /**
   * Partitions this process reads when the peer has no group coordination
   * (the raw driver splits statically); `undefined` reads all of them.
   */
  staticPartitions?: number[];
}

/** Target of one producer process. */
export type ProducerJob = PeerTarget;

/** Sending pattern of one produce run. */
export type ProduceRun =
  | {
      /** As fast as possible, one call (one message or one batch) at a time. */
      mode: 'throughput';
      batchSize: number;
      durationMs: number;
      /** Unmeasured run of the same loop before, so the JIT has warmed up. */
      warmUpMs: number;
    }
  | {
      /** Exactly `count` messages, in batches, as fast as possible. */
      mode: 'backlog';
      batchSize: number;
      count: number;
    }
  | {
      /** One message per call at a fixed rate, without waiting for replies. */
      mode: 'paced';
      ratePerSecond: number;
      durationMs: number;
      maxInFlight: number;
    };

/** CPU time of a process over a measured window, in microseconds. */
export interface CpuTime {
  user: number;
  system: number;
}

/** Result of one produce run. */
export interface ProduceResult {
  messages: number;
  elapsedMs: number;
  cpu: CpuTime;
  /** Calls that failed; the run stops at the first one. */
  errors: string[];
}

/** Memory use of a consumer over one phase, in bytes. */
export interface MemoryPeak {
  maxHeapUsed: number;
  maxRss: number;
  /** One sample a second: elapsed ms, messages, heapUsed, rss. */
  timeline: Array<[number, number, number, number]>;
}

/** Result of one consume phase in one process. */
export interface ConsumePhaseResult {
  /** Messages handled in this phase (duplicates included). */
  count: number;
  /** Messages whose sequence number this process had already handled. */
  duplicates: number;
  /** First and last handler start, in monotonic-clock microseconds. */
  firstArrival: number;
  lastArrival: number;
  /** CPU time from the phase start until the process went idle. */
  cpu: CpuTime;
  /**
   * Time from the last arrival until the process went idle, in ms. Idle
   * means that work the messages started after their handler, such as
   * offset commits, was done. It is `null` when the process was still busy
   * when the wait ended.
   */
  settleMs: number | null;
  memory: MemoryPeak;
  /** Send-to-handler latencies in microseconds (compressed HdrHistogram). */
  latencyHistogram?: string;
  /** Bitmap of handled sequence numbers, base64. */
  seen: string;
}

/** Requests a consumer worker serves. */
export type ConsumerRequest =
  /** Loads a peer's module, so that a later start does not compile it. */
  | { type: 'load'; peer: PeerName }
  | { type: 'start'; job: ConsumerJob }
  | { type: 'status' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'phase'; size: number; recordLatency: boolean }
  | { type: 'collect' }
  /** Stops the consumer (it leaves its group); the process stays. */
  | { type: 'stop' }
  | { type: 'exit' };

/** Status of a consumer worker. */
export interface ConsumerStatus {
  /** Owned partitions, or `null` when the peer has no such notion. */
  assignment: number[] | null;
  count: number;
}

/** Requests a producer worker serves. */
export type ProducerRequest =
  /** Creates the producer, closing the one from an earlier `start`. */
  | { type: 'start'; job: ProducerJob; payloadBytes: number }
  | { type: 'run'; run: ProduceRun }
  /** Closes the producer and ends the process. */
  | { type: 'exit' };

/** A request as sent over the IPC channel. */
export interface RequestEnvelope<T> {
  id: number;
  request: T;
}

/** A reply or an unsolicited event from a worker. */
export type WorkerMessage =
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string }
  | { kind: 'progress'; count: number };
