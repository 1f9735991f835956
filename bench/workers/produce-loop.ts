import type { BenchProducer } from '../peers/peer';
import type { BenchValue, ProduceResult, ProduceRun } from '../protocol';
import { monotonicMicros } from '../util/clock';
import { delay } from '../util/wait';

/** Makes benchmark values with consecutive sequence numbers. */
class ValueSource {
  private next = 0;

  constructor(private readonly data: string) {}

  take(count: number): BenchValue[] {
    const values: BenchValue[] = [];
    const sentAt = monotonicMicros();
    for (let index = 0; index < count; index++) {
      values.push({ seq: this.next, sentAt, data: this.data });
      this.next += 1;
    }
    return values;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Sends one call after another until `durationMs` passed (`throughput`) or
 * `count` messages went out (`backlog`). The first failed call ends the run.
 */
async function sendSequentially(
  producer: BenchProducer,
  source: ValueSource,
  batchSize: number,
  shouldContinue: (sent: number, elapsedMs: number) => boolean,
  limit = Number.POSITIVE_INFINITY,
): Promise<{ messages: number; errors: string[] }> {
  const started = performance.now();
  let messages = 0;
  while (shouldContinue(messages, performance.now() - started)) {
    const size = Math.min(batchSize, limit - messages);
    try {
      await producer.send(source.take(size));
    } catch (error) {
      return { messages, errors: [describe(error)] };
    }
    messages += size;
  }
  return { messages, errors: [] };
}

/**
 * Sends single messages at `ratePerSecond` for `durationMs`, each stamped
 * just before its call, without waiting for replies (at most `maxInFlight`
 * at once). A message that falls behind its slot goes out as soon as it
 * can, and sending stops at the end of `durationMs` even when the producer
 * fell behind, so the result reports the achieved rate.
 */
async function sendPaced(
  producer: BenchProducer,
  source: ValueSource,
  ratePerSecond: number,
  durationMs: number,
  maxInFlight: number,
): Promise<{ messages: number; errors: string[] }> {
  const total = Math.floor((ratePerSecond * durationMs) / 1000);
  const intervalMs = 1000 / ratePerSecond;
  const errors: string[] = [];
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  let sent = 0;
  for (let index = 0; index < total && errors.length === 0; index++) {
    if (performance.now() - started >= durationMs) {
      break;
    }
    const due = started + index * intervalMs;
    const wait = due - performance.now();
    if (wait >= 1) {
      await delay(wait);
    }
    while (pending.size >= maxInFlight) {
      await Promise.race(pending);
    }
    const call = producer.send(source.take(1)).then(
      () => {
        pending.delete(call);
      },
      (error: unknown) => {
        pending.delete(call);
        errors.push(describe(error));
      },
    );
    pending.add(call);
    sent += 1;
  }
  await Promise.all(pending);
  return { messages: sent, errors };
}

/** Runs one produce run and measures its wall time and CPU time. */
export async function runProduce(
  producer: BenchProducer,
  run: ProduceRun,
  data: string,
): Promise<ProduceResult> {
  const source = new ValueSource(data);
  if (run.mode === 'throughput' && run.warmUpMs > 0) {
    await sendSequentially(
      producer,
      source,
      run.batchSize,
      (_sent, elapsedMs) => elapsedMs < run.warmUpMs,
    );
  }
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let outcome: { messages: number; errors: string[] };
  switch (run.mode) {
    case 'throughput':
      outcome = await sendSequentially(
        producer,
        source,
        run.batchSize,
        (_sent, elapsedMs) => elapsedMs < run.durationMs,
      );
      break;
    case 'backlog':
      outcome = await sendSequentially(
        producer,
        source,
        run.batchSize,
        (sent) => sent < run.count,
        run.count,
      );
      break;
    case 'paced':
      outcome = await sendPaced(
        producer,
        source,
        run.ratePerSecond,
        run.durationMs,
        run.maxInFlight,
      );
      break;
  }
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    messages: outcome.messages,
    elapsedMs,
    cpu: { user: cpu.user, system: cpu.system },
    errors: outcome.errors,
  };
}
