import type { ConsumerFleet } from '../coordinator/consumer-fleet';
import type { ConsumerPool } from '../coordinator/consumer-pool';
import type { ProducerProcess } from '../coordinator/producer-process';
import type { PeerName, PeerTarget } from '../protocol';
import { consumerJobs, serverPidOf, WorkloadContext } from './context';
import { cpuCaveat, deliveryProblem } from './notes';
import { BacklogResult, measureBacklog, measureLatency } from './phases';

/** Shapes of the consume runs: groups reading the topic, members each. */
export const CONSUME_SHAPES = [
  { label: '1 group x 1 member', groups: 1, members: 1 },
  { label: '1 group x 3 members', groups: 1, members: 3 },
  { label: '3 groups x 1 member', groups: 3, members: 1 },
] as const;

/** One of {@link CONSUME_SHAPES}. */
export type ConsumeShape = (typeof CONSUME_SHAPES)[number];

/** Consume-side measurements of a run. */
export interface ConsumeRun {
  backlog: boolean;
  latency: boolean;
}

/** Row of the memory table filled by every peer's 1 x 1 consume run. */
export const CONSUME_RSS_ROW = 'max RSS, consume run 1 x 1';

function isSingle(shape: ConsumeShape): boolean {
  return shape.groups === 1 && shape.members === 1;
}

/**
 * Returns why a peer cannot run a shape, or `undefined` when it can. The dafaz
 * package keeps its consumer groups in a per-process registry, and each of
 * its consumers reads the partitions listed in its own configuration, so
 * members in separate processes would not share the partitions.
 */
function shapeUnsupported(
  peer: PeerName,
  shape: ConsumeShape,
): string | undefined {
  if (peer === 'dafaz' && shape.members > 1) {
    return (
      'no consumer groups across processes: the package keeps groups in ' +
      'a per-process registry and each consumer reads the partitions of ' +
      'its own configuration'
    );
  }
  return undefined;
}

/** Messages in a peer's consume backlog. */
export function backlogOf(context: WorkloadContext, peer: PeerName): number {
  const { backlog, dafazBacklog } = context.options;
  return peer === 'dafaz' ? Math.min(backlog, dafazBacklog) : backlog;
}

function recordBacklog(
  context: WorkloadContext,
  peer: PeerName,
  shape: ConsumeShape,
  result: BacklogResult,
): void {
  const count = backlogOf(context, peer);
  const notes = [
    deliveryProblem(result.consume),
    count === context.options.backlog
      ? undefined
      : `backlog of ${count} messages (--dafaz-backlog)`,
  ].filter((note) => note !== undefined);
  const note = notes.length > 0 ? notes.join('; ') : undefined;
  const caveat = cpuCaveat(result.consume);
  const rows = [
    ['msg/s', 'msg/s', result.consume.messagesPerSecond, 'higher', note],
    [
      'cpu',
      'µs/msg',
      result.consume.cpuMicrosPerMessage,
      'lower',
      caveat && note ? `${note}; ${caveat}` : (caveat ?? note),
    ],
    [
      'server-cpu',
      'µs/msg',
      result.serverCpuMicrosPerMessage ?? null,
      'lower',
      result.serverCpuMicrosPerMessage === undefined
        ? 'server not started by the bench (MONGO_URL)'
        : note,
    ],
  ] as const;
  for (const [metric, unit, value, better, figureNote] of rows) {
    context.figures.add({
      family: 'consume',
      row: shape.label,
      metric,
      unit,
      peer,
      value,
      note: figureNote,
      better,
    });
  }
  if (isSingle(shape)) {
    context.figures.add({
      family: 'memory',
      row: CONSUME_RSS_ROW,
      metric: 'MB',
      unit: 'MB',
      peer,
      value: result.consume.maxRssBytes / 2 ** 20,
      note,
      better: 'lower',
    });
  }
  context.details[`consume/${peer}/${shape.label}`] = result;
  context.log(
    `consume ${peer} ${shape.label}: ` +
      `${Math.round(result.consume.messagesPerSecond ?? 0)} msg/s` +
      (note ? ` (${note})` : ''),
  );
}

async function recordLatency(
  context: WorkloadContext,
  peer: PeerName,
  fleet: ConsumerFleet,
  producer: ProducerProcess,
): Promise<void> {
  const { options } = context;
  const result = await measureLatency(
    fleet,
    producer,
    options.rate,
    options.latencySeconds,
  );
  const achieved = result.produce.messagesPerSecond;
  const notes = [
    deliveryProblem(result.consume),
    achieved < options.rate * 0.95
      ? `the producer reached only ${Math.round(achieved)} msg/s`
      : undefined,
  ].filter((note) => note !== undefined);
  const note = notes.length > 0 ? notes.join('; ') : undefined;
  const latency = result.consume.latency;
  for (const percentile of ['p50', 'p95', 'p99'] as const) {
    context.figures.add({
      family: 'latency',
      row: percentile,
      metric: 'ms',
      unit: 'ms',
      peer,
      value: latency ? latency[percentile] : null,
      note,
      better: 'lower',
    });
  }
  context.details[`latency/${peer}`] = result;
  context.log(
    `latency ${peer} at ${options.rate} msg/s: p50 ${latency?.p50} ms, ` +
      `p99 ${latency?.p99} ms` +
      (note ? ` (${note})` : ''),
  );
}

/** Records the figures of a shape a peer cannot run, with the reason. */
export function recordShapeUnavailable(
  context: WorkloadContext,
  peer: PeerName,
  shape: ConsumeShape,
  reason: string,
  run: ConsumeRun,
): void {
  const { figures } = context;
  if (run.backlog) {
    const metrics = [
      ['msg/s', 'msg/s', 'higher'],
      ['cpu', 'µs/msg', 'lower'],
      ['server-cpu', 'µs/msg', 'lower'],
    ] as const;
    for (const [metric, unit, better] of metrics) {
      figures.notMeasured(
        { family: 'consume', row: shape.label, metric, unit, peer, better },
        reason,
      );
    }
    if (isSingle(shape)) {
      figures.notMeasured(
        {
          family: 'memory',
          row: CONSUME_RSS_ROW,
          metric: 'MB',
          unit: 'MB',
          peer,
          better: 'lower',
        },
        reason,
      );
    }
  }
  if (run.latency && isSingle(shape)) {
    for (const percentile of ['p50', 'p95', 'p99']) {
      figures.notMeasured(
        {
          family: 'latency',
          row: percentile,
          metric: 'ms',
          unit: 'ms',
          peer,
          better: 'lower',
        },
        reason,
      );
    }
  }
}

/**
 * Runs the consume shapes of one peer on its worker pool: for each shape a
 * backlog read by fresh group members (when `run.backlog`), and for 1 x 1
 * the latency run at the offered rate (when `run.latency`).
 */
export async function measureConsumeShapes(
  context: WorkloadContext,
  target: PeerTarget,
  producer: ProducerProcess,
  pool: ConsumerPool,
  run: ConsumeRun,
): Promise<void> {
  const peer = target.peer;
  for (const shape of CONSUME_SHAPES) {
    if (!run.backlog && !isSingle(shape)) {
      continue;
    }
    const unsupported = shapeUnsupported(peer, shape);
    if (unsupported) {
      recordShapeUnavailable(context, peer, shape, unsupported, run);
      continue;
    }
    const label = `${shape.groups}x${shape.members}`;
    const fleet = await pool.startFleet(
      consumerJobs(target, label, shape.groups, shape.members),
    );
    try {
      await fleet.waitUntilAssigned();
      if (run.backlog) {
        const count = backlogOf(context, peer);
        const result = await measureBacklog(
          fleet,
          producer,
          count,
          serverPidOf(context, peer),
        );
        recordBacklog(context, peer, shape, result);
      }
      if (run.latency && isSingle(shape)) {
        await recordLatency(context, peer, fleet, producer);
      }
    } finally {
      await fleet.stop();
    }
  }
}
