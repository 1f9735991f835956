import type { BenchOptions } from '../options';
import type { PeerName } from '../protocol';
import type { Figure } from './figures';

/** A table of the report: figures of one kind, one column per peer. */
interface Section {
  title: string;
  select(figure: Figure): boolean;
  /** Row label; the figure's row when omitted. */
  label?(figure: Figure): string;
}

function sections(options: BenchOptions): Section[] {
  return [
    {
      title: 'Produce throughput, msg/s (ratio to raw: higher is better)',
      select: (f) => f.family === 'produce' && f.metric === 'msg/s',
    },
    {
      title:
        `Consume throughput, msg/s, backlog of ${options.backlog} ` +
        '(ratio to raw: higher is better)',
      select: (f) => f.family === 'consume' && f.metric === 'msg/s',
    },
    {
      title:
        `End-to-end latency at ${options.rate} msg/s, ms, 1 group x 1 ` +
        'member (ratio to raw: lower is better)',
      select: (f) => f.family === 'latency',
    },
    {
      title:
        'Client CPU time (user + system) per message, µs ' +
        '(ratio to raw: lower is better)',
      select: (f) => f.metric === 'cpu',
      label: (f) =>
        `${f.family === 'produce' ? 'producer' : 'consumers'}, ${f.row}`,
    },
    {
      title:
        'Server CPU time (user + system) per message delivered, µs ' +
        '(ratio to raw: lower is better)',
      select: (f) => f.metric === 'server-cpu',
      label: (f) => `consume, ${f.row}`,
    },
    {
      title: 'Consumer memory (ratio to raw: lower is better)',
      select: (f) => f.family === 'memory',
      label: (f) => `${f.row} (${f.unit})`,
    },
  ];
}

/** Formats a figure's value for its unit. */
export function formatValue(value: number, unit: string): string {
  if (unit === 'msg/s') {
    return Math.round(value).toLocaleString('en-US');
  }
  if (unit === 'ms') {
    return value < 10 ? value.toFixed(2) : value.toFixed(1);
  }
  return value.toFixed(1);
}

function formatRatio(ratio: number | null | undefined): string {
  return ratio == null ? '' : ` (${ratio.toFixed(2)}x)`;
}

/** Wraps a numbered note to lines of at most `width` characters. */
function wrapNote(number: number, note: string, width = 78): string[] {
  const lines: string[] = [];
  let line = `  [${number}]`;
  for (const word of note.split(' ')) {
    if (line.length + 1 + word.length > width && line.trim().length > 0) {
      lines.push(line);
      line = '     ';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

function renderGrid(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) =>
        column === 0
          ? cell.padEnd(widths[column])
          : cell.padStart(widths[column]),
      )
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
  ];
}

/**
 * Renders one section: a row per workload, a column per peer, each cell
 * the value with its ratio to the raw driver, and numbered notes for
 * missing values and caveats.
 */
function renderSection(
  section: Section,
  figures: Figure[],
  peers: PeerName[],
): string[] {
  const selected = figures.filter(section.select);
  if (selected.length === 0) {
    return [];
  }
  const labelOf = section.label ?? ((figure: Figure) => figure.row);
  const labels = [...new Set(selected.map(labelOf))];
  const notes: string[] = [];
  const noteNumber = (note: string): number => {
    const index = notes.indexOf(note);
    if (index >= 0) {
      return index + 1;
    }
    notes.push(note);
    return notes.length;
  };
  const rows = labels.map((label) => [
    label,
    ...peers.map((peer) => {
      const figure = selected.find(
        (candidate) => candidate.peer === peer && labelOf(candidate) === label,
      );
      if (!figure) {
        return '-';
      }
      const mark = figure.note ? ` [${noteNumber(figure.note)}]` : '';
      if (figure.value === null) {
        return `n/a${mark}`;
      }
      return (
        formatValue(figure.value, figure.unit) +
        formatRatio(figure.ratio) +
        mark
      );
    }),
  ]);
  return [
    section.title,
    ...renderGrid(['', ...peers], rows),
    ...notes.flatMap((note, index) => wrapNote(index + 1, note)),
    '',
  ];
}

function renderScaling(figures: Figure[]): string[] {
  const selected = figures.filter((figure) => figure.family === 'scaling');
  if (selected.length === 0) {
    return [];
  }
  const rows = [...new Set(selected.map((figure) => figure.row))].map((row) => {
    const cell = (metric: string): [string, string] => {
      const figure = selected.find(
        (candidate) => candidate.row === row && candidate.metric === metric,
      );
      if (!figure || figure.value === null) {
        return ['n/a', ''];
      }
      const note = figure.note ? ' (!)' : '';
      return [
        formatValue(figure.value, figure.unit) + note,
        figure.ratio == null ? '' : `${figure.ratio.toFixed(2)}x`,
      ];
    };
    return [row, ...cell('msg/s'), ...cell('p99')];
  });
  const flagged = selected.filter((figure) => figure.note);
  return [
    'Scaling of this broker: backlog throughput and p99 latency ' +
      '(ratios to raw 1 x 1 throughput and raw p99)',
    ...renderGrid(['', 'msg/s', 'x raw', 'p99 ms', 'x raw'], rows),
    ...flagged.flatMap((figure) =>
      wrapNote(0, `${figure.row}: ${figure.note}`).map((line) =>
        line.replace('[0]', '(!)'),
      ),
    ),
    '',
  ];
}

/** Renders every table of the report as text lines. */
export function renderTables(
  figures: Figure[],
  options: BenchOptions,
): string[] {
  return [
    ...sections(options).flatMap((section) =>
      renderSection(section, figures, options.peers),
    ),
    ...renderScaling(figures),
  ];
}
