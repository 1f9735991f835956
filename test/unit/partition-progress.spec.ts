import { PartitionProgress } from '../../lib/core/stream/partition-progress';
import { SegmentLedger } from '../../lib/core/stream/segment-ledger';

const token = (name: string) => ({ _data: name });

function append(ledger: SegmentLedger, seq: number, partition: number) {
  return ledger.append(
    seq,
    partition,
    `m${seq}`,
    new Date(seq),
    token(`t${seq}`),
  );
}

function finish(
  ledger: SegmentLedger,
  progress: PartitionProgress,
  entry: ReturnType<typeof append>,
) {
  ledger.markDone(entry);
  progress.markDone(entry);
}

describe('PartitionProgress.position', () => {
  it('skips records a partition finished past the shared low water', () => {
    const ledger = new SegmentLedger(1, token('start'));
    const fast = new PartitionProgress(0);
    const slow = new PartitionProgress(1);
    fast.ledger = ledger;
    slow.ledger = ledger;
    append(ledger, 1, 1);
    const done = append(ledger, 2, 0);
    finish(ledger, fast, done);

    expect(fast.position([ledger])).toEqual({
      kind: 'token',
      token: token('start'),
      skipThrough: 'm2',
    });
    expect(slow.position([ledger])).toEqual({
      kind: 'token',
      token: token('start'),
    });
  });

  it('needs no skip once the low water passed the record', () => {
    const ledger = new SegmentLedger(1, token('start'));
    const progress = new PartitionProgress(0);
    progress.ledger = ledger;
    const entry = append(ledger, 1, 0);
    finish(ledger, progress, entry);
    expect(progress.position([ledger])).toEqual({
      kind: 'token',
      token: token('t1'),
    });
  });

  it('keeps a stored skip marker until the stream reaches it', () => {
    const ledger = new SegmentLedger(1, token('start'));
    const progress = new PartitionProgress(0);
    progress.ledger = ledger;
    progress.skipThrough = 'already-done';
    ledger.advanceHead(token('later'));
    expect(progress.position([ledger])).toEqual({
      kind: 'token',
      token: token('later'),
      skipThrough: 'already-done',
    });
  });

  it('uses the oldest stream that still holds unfinished records', () => {
    const old = new SegmentLedger(1, token('old-start'));
    const merged = new SegmentLedger(2, token('barrier'));
    const progress = new PartitionProgress(0);
    append(old, 1, 0);
    progress.ledger = merged;
    expect(progress.position([old, merged])).toEqual({
      kind: 'token',
      token: token('old-start'),
    });
  });

  it('does not move past events ignored after a detach', () => {
    const ledger = new SegmentLedger(1, token('start'));
    const progress = new PartitionProgress(0);
    progress.ledger = ledger;
    progress.frozen = {
      ledger,
      token: token('frozen'),
      startAfter: false,
      seq: 0,
    };
    ledger.advanceHead(token('much-later'));
    expect(progress.position([ledger])).toEqual({
      kind: 'token',
      token: token('frozen'),
    });
  });

  it('computes the position after a record for a transaction', () => {
    const ledger = new SegmentLedger(1, token('start'));
    const progress = new PartitionProgress(0);
    progress.ledger = ledger;
    const entry = append(ledger, 1, 0);
    append(ledger, 2, 0);
    expect(progress.position([ledger], { assumeDone: entry })).toEqual({
      kind: 'token',
      token: token('t1'),
    });
  });

  it('reports a replay position until the replay finished', () => {
    const progress = new PartitionProgress(0);
    progress.replay = {
      afterId: 'abc',
      streamToken: token('s0'),
      scanning: true,
      pending: 0,
    };
    expect(progress.position([])).toEqual({
      kind: 'replay',
      afterId: 'abc',
      streamToken: token('s0'),
    });
  });
});
