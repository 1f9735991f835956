/**
 * Consumer process of the benchmark: one member of one group of one peer
 * at a time. Started by the runner with an IPC channel; see
 * `ConsumerRequest`.
 */
import { loadPeer, type BenchConsumer } from '../peers/peer';
import type { BenchValue, ConsumerRequest, ConsumerStatus } from '../protocol';
import { PhaseRecorder } from './phase-recorder';
import { sendToRunner, serveRequests } from './worker-channel';

/**
 * Maximum wait for a consumer to go idle after its last message. A peer
 * still busy then (the dafaz package with a queue of offset commits) gets
 * a CPU figure that is a lower bound.
 */
const MAX_SETTLE_MS = 20_000;

let consumer: BenchConsumer | undefined;
const recorder = new PhaseRecorder((count) =>
  sendToRunner({ kind: 'progress', count }),
);

/**
 * Messages whose handler started after `pause` (a read already in flight
 * can still deliver). They count in the phase that `resume` starts, as if
 * they had arrived then.
 */
let deferred: BenchValue[] | undefined;

function onMessage(value: BenchValue): void {
  if (deferred) {
    deferred.push(value);
  } else {
    recorder.record(value);
  }
}

function requireConsumer(): BenchConsumer {
  if (!consumer) {
    throw new Error('The consumer has not been started: send "start" first.');
  }
  return consumer;
}

async function handle(request: ConsumerRequest): Promise<unknown> {
  switch (request.type) {
    case 'load':
      await loadPeer(request.peer);
      return undefined;
    case 'start': {
      if (consumer) {
        throw new Error('A consumer runs already: send "stop" first.');
      }
      const peer = await loadPeer(request.job.peer);
      deferred = undefined;
      consumer = await peer.createConsumer(request.job);
      await consumer.start(onMessage);
      return undefined;
    }
    case 'status': {
      const status: ConsumerStatus = {
        assignment: requireConsumer().assignment(),
        count: recorder.count,
      };
      return status;
    }
    case 'pause':
      deferred ??= [];
      return requireConsumer().pause();
    case 'resume': {
      const release = deferred ?? [];
      deferred = undefined;
      release.forEach(recorder.record);
      return requireConsumer().resume();
    }
    case 'phase':
      recorder.reset(request.size, request.recordLatency);
      return undefined;
    case 'collect':
      return recorder.collect(MAX_SETTLE_MS);
    case 'stop': {
      const stopping = consumer;
      consumer = undefined;
      await stopping?.stop();
      return undefined;
    }
    case 'exit':
      recorder.close();
      await consumer?.stop();
      setImmediate(() => process.exit(0));
      return undefined;
  }
}

serveRequests(handle);
