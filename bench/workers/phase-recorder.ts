import * as hdr from 'hdr-histogram-js';
import type {
  BenchValue,
  ConsumePhaseResult,
  CpuTime,
  MemoryPeak,
} from '../protocol';
import { monotonicMicros } from '../util/clock';
import { delay } from '../util/wait';

/** Interval of CPU and memory samples, in milliseconds. */
const SAMPLE_INTERVAL_MS = 100;
/** A process counts as idle once it used less than this share of a core... */
const IDLE_CPU_SHARE = 0.05;
/** ...over this many consecutive samples. */
const IDLE_SAMPLES = 5;

interface CpuSample {
  at: number;
  usage: NodeJS.CpuUsage;
}

function cpuMicros(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

function newHistogram(): hdr.Histogram {
  // Microseconds from 1 µs to 10 minutes, three significant digits.
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/**
 * Records what one consumer process handles in one phase: arrivals,
 * duplicates, send-to-handler latency, CPU time and memory.
 */
export class PhaseRecorder {
  count = 0;
  private duplicates = 0;
  private firstArrival = 0;
  private lastArrival = 0;
  private lastArrivalWallMs = 0;
  private seen = new Uint8Array(0);
  private histogram?: hdr.Histogram;
  private startCpu = process.cpuUsage();
  private startedAt = Date.now();
  private memory: MemoryPeak = { maxHeapUsed: 0, maxRss: 0, timeline: [] };
  private cpuSamples: CpuSample[] = [];
  private countAtLastSample = 0;
  private readonly timer: NodeJS.Timeout;
  private sampleCount = 0;

  constructor(private readonly onProgress: (count: number) => void) {
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
  }

  /** Starts a new phase for sequence numbers `0..size-1`. */
  reset(size: number, recordLatency: boolean): void {
    this.count = 0;
    this.duplicates = 0;
    this.firstArrival = 0;
    this.lastArrival = 0;
    this.lastArrivalWallMs = 0;
    this.seen = new Uint8Array(size);
    this.histogram?.destroy();
    this.histogram = recordLatency ? newHistogram() : undefined;
    this.startCpu = process.cpuUsage();
    this.startedAt = Date.now();
    this.memory = { maxHeapUsed: 0, maxRss: 0, timeline: [] };
    this.cpuSamples = [];
    this.countAtLastSample = 0;
    this.sampleCount = 0;
  }

  /** Records one handler start. Warm-up messages (`seq < 0`) do not count. */
  readonly record = (value: BenchValue): void => {
    if (value.seq < 0) {
      return;
    }
    const now = monotonicMicros();
    if (this.count === 0) {
      this.firstArrival = now;
    }
    this.lastArrival = now;
    this.lastArrivalWallMs = Date.now();
    this.count += 1;
    if (value.seq < this.seen.length) {
      if (this.seen[value.seq] === 1) {
        this.duplicates += 1;
      } else {
        this.seen[value.seq] = 1;
      }
    }
    this.histogram?.recordValue(Math.max(1, now - value.sentAt));
  };

  /**
   * Waits until the process is idle (work that messages started after
   * their handler, such as offset commits, is done) or `maxSettleMs`
   * passed, then returns the phase's figures. CPU time counts up to the
   * start of the idle stretch, or up to now when it never came.
   */
  async collect(maxSettleMs: number): Promise<ConsumePhaseResult> {
    const deadline = Date.now() + maxSettleMs;
    let idle = this.idleSince();
    while (idle === undefined && Date.now() < deadline) {
      await delay(SAMPLE_INTERVAL_MS);
      idle = this.idleSince();
    }
    const end = idle?.usage ?? process.cpuUsage();
    // A member that received nothing (it owned no partition) has nothing
    // to settle after.
    const settleMs = !idle
      ? null
      : this.count === 0
        ? 0
        : Math.max(0, idle.at - this.lastArrivalWallMs);
    const cpu: CpuTime = {
      user: end.user - this.startCpu.user,
      system: end.system - this.startCpu.system,
    };
    return {
      count: this.count,
      duplicates: this.duplicates,
      firstArrival: this.firstArrival,
      lastArrival: this.lastArrival,
      cpu,
      settleMs,
      memory: this.memory,
      latencyHistogram: this.histogram
        ? hdr.encodeIntoCompressedBase64(this.histogram)
        : undefined,
      seen: Buffer.from(this.seen).toString('base64'),
    };
  }

  /** Stops sampling. */
  close(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    this.cpuSamples.push({ at: Date.now(), usage: process.cpuUsage() });
    if (this.cpuSamples.length > IDLE_SAMPLES + 1) {
      this.cpuSamples.shift();
    }
    if (this.count !== this.countAtLastSample) {
      this.countAtLastSample = this.count;
      this.onProgress(this.count);
    }

    const { heapUsed, rss } = process.memoryUsage();
    this.memory.maxHeapUsed = Math.max(this.memory.maxHeapUsed, heapUsed);
    this.memory.maxRss = Math.max(this.memory.maxRss, rss);
    this.sampleCount += 1;
    if (this.sampleCount % (1000 / SAMPLE_INTERVAL_MS) === 0) {
      this.memory.timeline.push([
        Date.now() - this.startedAt,
        this.count,
        heapUsed,
        rss,
      ]);
    }
  }

  /**
   * Returns the first sample of the latest idle stretch, or `undefined`
   * while the process is still busy or messages still arrive.
   */
  private idleSince(): CpuSample | undefined {
    const samples = this.cpuSamples;
    if (
      samples.length <= IDLE_SAMPLES ||
      this.count !== this.countAtLastSample
    ) {
      return undefined;
    }
    const first = samples[0];
    const last = samples[samples.length - 1];
    const wallMicros = (last.at - first.at) * 1000;
    const used = cpuMicros(last.usage) - cpuMicros(first.usage);
    return used < wallMicros * IDLE_CPU_SHARE ? first : undefined;
  }
}
