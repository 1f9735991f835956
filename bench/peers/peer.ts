import type {
  BenchValue,
  ConsumerJob,
  PeerName,
  PeerTarget,
  ProducerJob,
} from '../protocol';

/** Sends benchmark messages with one peer's producer API. */
export interface BenchProducer {
  /**
   * Sends one message (an array of one uses the peer's single-message call)
   * or one batch, and resolves once the peer acknowledged it.
   */
  send(values: BenchValue[]): Promise<void>;
  close(): Promise<void>;
}

/** Receives benchmark messages with one peer's consumer API. */
export interface BenchConsumer {
  /**
   * Subscribes and resolves once the peer is ready to receive what is
   * written from now on; `onMessage` runs at the start of each handler.
   */
  start(onMessage: (value: BenchValue) => void): Promise<void>;
  /** Owned partitions, or `null` when the peer has no such notion. */
  assignment(): number[] | null;
  /** Stops reading without losing the position. */
  pause(): Promise<void>;
  /** Reads again from where `pause` stopped. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** One compared system, as loaded inside a worker or the runner. */
export interface Peer {
  createProducer(job: ProducerJob): Promise<BenchProducer>;
  createConsumer(job: ConsumerJob): Promise<BenchConsumer>;
  /** Creates the topic (and whatever else must exist before consumers). */
  prepareTopic(target: PeerTarget): Promise<void>;
  /** Removes the topic and its messages. */
  dropTopic(target: PeerTarget): Promise<void>;
}

/**
 * Loads one peer's module. Each module is imported only when used, so a
 * worker process loads only the client library it measures.
 */
export async function loadPeer(name: PeerName): Promise<Peer> {
  switch (name) {
    case 'raw-driver':
      return (await import('./raw-driver')).rawDriverPeer;
    case 'this-broker':
      return (await import('./this-broker')).thisBrokerPeer;
    case 'dafaz':
      return (await import('./dafaz')).dafazPeer;
    case 'redis-streams':
      return (await import('./redis-streams')).redisStreamsPeer;
  }
}
