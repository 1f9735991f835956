/**
 * Producer process of the benchmark: one producer of one peer. Started by
 * the runner with an IPC channel; see `ProducerRequest`.
 */
import { loadPeer, type BenchProducer } from '../peers/peer';
import type { ProducerRequest } from '../protocol';
import { runProduce } from './produce-loop';
import { serveRequests } from './worker-channel';

let producer: BenchProducer | undefined;
let data = '';

async function handle(request: ProducerRequest): Promise<unknown> {
  switch (request.type) {
    case 'start': {
      const peer = await loadPeer(request.job.peer);
      const previous = producer;
      producer = undefined;
      await previous?.close();
      producer = await peer.createProducer(request.job);
      data = 'x'.repeat(request.payloadBytes);
      return undefined;
    }
    case 'run':
      if (!producer) {
        throw new Error(
          'The producer has not been started: send "start" first.',
        );
      }
      return runProduce(producer, request.run, data);
    case 'exit':
      await producer?.close();
      setImmediate(() => process.exit(0));
      return undefined;
  }
}

serveRequests(handle);
