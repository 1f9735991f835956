import type { ProducerProcess } from '../coordinator/producer-process';
import type { PeerName } from '../protocol';
import { summarizeProduce } from '../stats';
import type { WorkloadContext } from './context';

/** Produce runs: one call at a time, each call one message or one batch. */
export const PRODUCE_MODES = [
  { label: 'send x1 in a loop', batchSize: 1 },
  { label: 'batches of 100', batchSize: 100 },
  { label: 'batches of 1,000', batchSize: 1_000 },
] as const;

const METRICS = [
  { metric: 'msg/s', unit: 'msg/s', better: 'higher' },
  { metric: 'cpu', unit: 'µs/msg', better: 'lower' },
] as const;

/** Records every produce figure of a peer that cannot run, with the reason. */
export function recordProduceUnavailable(
  context: WorkloadContext,
  peer: PeerName,
  reason: string,
): void {
  for (const mode of PRODUCE_MODES) {
    for (const { metric, unit, better } of METRICS) {
      context.figures.notMeasured(
        { family: 'produce', row: mode.label, metric, unit, peer, better },
        reason,
      );
    }
  }
}

/**
 * Measures produce throughput and the producer's CPU time per message in
 * every mode, each call awaited before the next.
 */
export async function measureProduceModes(
  context: WorkloadContext,
  peer: PeerName,
  producer: ProducerProcess,
): Promise<void> {
  const { options, figures } = context;
  const durationMs = options.produceSeconds * 1000;
  for (const mode of PRODUCE_MODES) {
    const summary = summarizeProduce(
      await producer.run({
        mode: 'throughput',
        batchSize: mode.batchSize,
        durationMs,
        warmUpMs: Math.min(1000, durationMs / 2),
      }),
    );
    context.log(
      `produce ${peer} ${mode.label}: ` +
        `${Math.round(summary.messagesPerSecond)} msg/s`,
    );
    const values = {
      'msg/s': summary.messagesPerSecond,
      cpu: summary.cpuMicrosPerMessage,
    };
    for (const { metric, unit, better } of METRICS) {
      figures.add({
        family: 'produce',
        row: mode.label,
        metric,
        unit,
        peer,
        value: values[metric],
        better,
      });
    }
    context.details[`produce/${peer}/${mode.label}`] = summary;
  }
}
