import { ClientSession, MongoServerError } from 'mongodb';
import { runOffsetTransaction } from '../../lib/core/consumer/transaction-runner';

function writeConflict(): MongoServerError {
  const error = new MongoServerError({
    code: 112,
    codeName: 'WriteConflict',
    errmsg: 'Write conflict during plan execution',
  });
  error.addErrorLabel('TransientTransactionError');
  return error;
}

/** Returns a session that answers the runner's calls without a server. */
function fakeSession(): ClientSession {
  let active = false;
  return {
    startTransaction: () => {
      active = true;
    },
    inTransaction: () => active,
    abortTransaction: async () => {
      active = false;
    },
    commitTransaction: async () => {
      active = false;
    },
  } as unknown as ClientSession;
}

describe('runOffsetTransaction', () => {
  it('waits longer before each rerun after a transient error', async () => {
    const conflicts = 6;
    const waits: number[] = [];
    const runsAt: number[] = [];
    let committed = false;

    await runOffsetTransaction(
      fakeSession(),
      {},
      {
        work: async () => {
          runsAt.push(Date.now());
          if (runsAt.length <= conflicts) {
            throw writeConflict();
          }
        },
        commitOffset: async () => ({ release: () => undefined }),
        onCommitted: () => {
          committed = true;
        },
        isStored: async () => false,
        onTransientRetry: (_retry, waitMs) => {
          waits.push(waitMs);
        },
      },
      new AbortController().signal,
    );

    expect(committed).toBe(true);
    expect(runsAt).toHaveLength(conflicts + 1);
    expect(waits).toHaveLength(conflicts);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[conflicts - 1]).toBeGreaterThan(waits[0] * 4);
    const elapsed = runsAt[conflicts] - runsAt[0];
    expect(elapsed).toBeGreaterThanOrEqual(
      waits.reduce((sum, wait) => sum + wait, 0) - conflicts,
    );
  });

  it('rethrows an error without the transient label', async () => {
    const failure = new Error('handler bug');
    let runs = 0;

    await expect(
      runOffsetTransaction(
        fakeSession(),
        {},
        {
          work: async () => {
            runs += 1;
            throw failure;
          },
          commitOffset: async () => ({ release: () => undefined }),
          onCommitted: () => undefined,
          isStored: async () => false,
        },
        new AbortController().signal,
      ),
    ).rejects.toBe(failure);
    expect(runs).toBe(1);
  });
});
