import type { Family } from '../options';
import type { PeerName } from '../protocol';

/** Identifies the raw-driver figure that another figure is divided by. */
export interface CeilingKey {
  family: Family;
  row: string;
  metric: string;
}

/** One measured number (or the reason there is none). */
export interface Figure {
  family: Family;
  /** Workload within the family, such as "1 group x 3 members". */
  row: string;
  /** Measured quantity, such as "msg/s" or "p99". */
  metric: string;
  unit: string;
  peer: PeerName;
  value: number | null;
  /** Reason `value` is missing, or a caveat that goes with it. */
  note?: string;
  /** Whether a larger value is better (throughput) or worse (latency). */
  better: 'higher' | 'lower';
  /** Raw-driver figure to divide by; the same family, row and metric when omitted. */
  ceiling?: CeilingKey;
  /** `value` divided by the raw driver's figure in this run. */
  ratio?: number | null;
}

function keyOf(key: CeilingKey): string {
  return `${key.family}\u0000${key.row}\u0000${key.metric}`;
}

/** Collects the figures of a run and relates them to the raw driver. */
export class FigureBook {
  private readonly figures: Figure[] = [];

  /** Adds a figure. */
  add(figure: Figure): void {
    this.figures.push(figure);
  }

  /** Adds "not measured" for a peer with the reason. */
  notMeasured(figure: Omit<Figure, 'value' | 'note'>, reason: string): void {
    this.figures.push({ ...figure, value: null, note: reason });
  }

  /** Fills in every figure's ratio to the raw driver's figure. */
  computeRatios(): void {
    const ceilings = new Map<string, number | null>();
    for (const figure of this.figures) {
      if (figure.peer === 'raw-driver') {
        ceilings.set(keyOf(figure), figure.value);
      }
    }
    for (const figure of this.figures) {
      const ceiling = ceilings.get(keyOf(figure.ceiling ?? figure));
      figure.ratio =
        figure.value === null || ceiling == null || ceiling === 0
          ? null
          : figure.value / ceiling;
    }
  }

  /** Returns every figure, in the order they were added. */
  all(): Figure[] {
    return [...this.figures];
  }
}
