import { SegmentLedger } from '../../lib/core/stream/segment-ledger';

const token = (name: string) => ({ _data: name });

function append(ledger: SegmentLedger, seq: number, partition: number) {
  return ledger.append(
    seq,
    partition,
    `m${seq}`,
    new Date(0),
    token(`t${seq}`),
  );
}

describe('SegmentLedger', () => {
  it('starts with the start token as low water', () => {
    const ledger = new SegmentLedger(1, token('start'));
    expect(ledger.lowWater()).toEqual({
      token: token('start'),
      startAfter: false,
    });
  });

  it('holds the low water before the oldest unfinished entry', () => {
    const ledger = new SegmentLedger(1, token('start'));
    const first = append(ledger, 1, 0);
    const second = append(ledger, 2, 1);
    append(ledger, 3, 0);

    ledger.markDone(second);
    expect(ledger.lowWater().token).toEqual(token('start'));
    expect(ledger.lowWater().firstPendingSeq).toBe(1);

    ledger.markDone(first);
    expect(ledger.lowWater().token).toEqual(token('t2'));
    expect(ledger.lowWater().firstPendingSeq).toBe(3);
  });

  it('moves to the head once everything is finished', () => {
    const ledger = new SegmentLedger(1, token('start'));
    const entry = append(ledger, 1, 0);
    ledger.advanceHead(token('post-batch'));
    ledger.markDone(entry);
    expect(ledger.lowWater()).toEqual({
      token: token('post-batch'),
      startAfter: false,
    });
  });

  it('computes the mark as if an entry were finished', () => {
    const ledger = new SegmentLedger(1, token('start'));
    const entry = append(ledger, 1, 0);
    expect(ledger.lowWater(entry).token).toEqual(token('t1'));
    expect(ledger.lowWater().token).toEqual(token('start'));
  });

  it('counts pending entries per partition', () => {
    const ledger = new SegmentLedger(1, token('start'));
    const first = append(ledger, 1, 0);
    append(ledger, 2, 0);
    append(ledger, 3, 1);
    expect(ledger.pending(0)).toBe(2);
    ledger.markDone(first);
    expect(ledger.pending(0)).toBe(1);
    ledger.forgetPartition(0);
    expect(ledger.pending(0)).toBe(0);
    expect(ledger.pending(1)).toBe(1);
    expect(ledger.lowWater().token).toEqual(token('t2'));
  });

  it('keeps startAfter for an invalidate token', () => {
    const ledger = new SegmentLedger(1, token('invalidate'), true);
    expect(ledger.lowWater().startAfter).toBe(true);
    expect(ledger.headIsStartAfter).toBe(true);
    const entry = append(ledger, 1, 0);
    expect(ledger.lowWater().startAfter).toBe(true);
    ledger.markDone(entry);
    expect(ledger.lowWater().startAfter).toBe(false);
  });
});
