import { ChangeStreamBroker, silentLogger } from '../../lib/core';
import type { ProcessedEntry } from '../support/processing-log';
import { testMongoUrl, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { Worker, WorkerFleet } from '../support/worker-fleet';

const HEARTBEAT_MS = 500;
const SESSION_TIMEOUT_MS = 3_000;

function keyOrderViolations(entries: ProcessedEntry[]): string[] {
  const last = new Map<string, number>();
  const violations: string[] = [];
  for (const entry of entries) {
    const key = `${entry.worker}/${entry.key}`;
    const previous = last.get(key);
    if (previous !== undefined && entry.n <= previous) {
      violations.push(`${key}: ${entry.n} after ${previous}`);
    }
    last.set(key, entry.n);
  }
  return violations;
}

/** Partitions a worker owned at a moment, from its event timestamps. */
function ownedAt(worker: Worker, moment: number): number[] {
  const owned = new Set<number>();
  for (const event of worker.events()) {
    if ((event.at ?? Infinity) > moment) {
      continue;
    }
    if (event.type === 'consumer.partitions.assigned') {
      event.partitions?.forEach((partition) => owned.add(partition));
    } else if (
      event.type === 'consumer.partitions.revoked' ||
      event.type === 'consumer.partitions.lost'
    ) {
      event.partitions?.forEach((partition) => owned.delete(partition));
    }
  }
  return [...owned];
}

function duplicates(entries: ProcessedEntry[]): Map<number, ProcessedEntry[]> {
  const byNumber = new Map<number, ProcessedEntry[]>();
  for (const entry of entries) {
    byNumber.set(entry.n, [...(byNumber.get(entry.n) ?? []), entry]);
  }
  return new Map([...byNumber].filter(([, list]) => list.length > 1));
}

describe('consumer group across processes', () => {
  let broker: ChangeStreamBroker;
  let topic: string;
  let fleet: WorkerFleet;

  function newFleet(groupId: string, handlerDelayMs = 0): WorkerFleet {
    return new WorkerFleet({
      mongoUrl: testMongoUrl(),
      database: broker.database,
      topic,
      groupId,
      brokerOptions: {
        heartbeatIntervalMs: HEARTBEAT_MS,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        retryDelayMs: 100,
      },
      consumerOptions: { autoCommitIntervalMs: 1_000 },
      env:
        handlerDelayMs > 0 ? { HANDLER_DELAY_MS: String(handlerDelayMs) } : {},
    });
  }

  async function produce(from: number, to: number, keys = 200): Promise<void> {
    const producer = await broker.createProducer({ topic });
    for (let start = from; start < to; start += 500) {
      const end = Math.min(to, start + 500);
      await producer.send(
        Array.from({ length: end - start }, (_, index) => ({
          key: `key-${(start + index) % keys}`,
          value: { n: start + index },
        })),
      );
    }
  }

  beforeEach(async () => {
    broker = new ChangeStreamBroker({
      mongoUri: testMongoUrl(),
      database: uniqueName('csb_process'),
      logger: silentLogger,
    });
    await broker.connect();
    topic = uniqueName('orders');
    await broker.createTopic({ name: topic, partitions: 6 });
  });

  afterEach(async () => {
    await fleet?.stopAll();
    await broker.getDatabase().dropDatabase();
    await broker.disconnect();
  });

  it('survives a kill -9 of one of three members', async () => {
    fleet = newFleet('survivors');
    const members: Worker[] = [];
    for (const name of ['a', 'b', 'c']) {
      members.push(await fleet.start(name));
    }
    await waitFor(
      () => members.every((member) => member.owned().length === 2),
      {
        description: 'two partitions per member',
      },
    );

    const producing = produce(0, 20_000);
    await waitFor(() => fleet.processed().length >= 6_000, {
      description: '6,000 processed records',
      timeoutMs: 60_000,
    });
    const victim = members[1];
    const orphaned = victim.owned();
    const killedAt = Date.now();
    await victim.process.kill('SIGKILL');
    await producing;

    const survivors = members.filter((member) => member !== victim);
    await waitFor(
      () =>
        orphaned.every((partition) =>
          survivors.some((member) => member.owned().includes(partition)),
        ),
      {
        description: 'the orphaned partitions to be owned again',
        timeoutMs: 30_000,
      },
    );
    const reassignedAt = Math.max(
      ...survivors.flatMap((member) =>
        member
          .events()
          .filter(
            (event) =>
              event.type === 'consumer.partitions.assigned' &&
              (event.at ?? 0) >= killedAt &&
              event.partitions?.some((partition) =>
                orphaned.includes(partition),
              ),
          )
          .map((event) => event.at!),
      ),
    );
    // Documented bound: session timeout plus one heartbeat (plus slack for
    // two busy cores).
    expect(reassignedAt - killedAt).toBeLessThan(
      SESSION_TIMEOUT_MS + HEARTBEAT_MS + 2_000,
    );

    await waitFor(
      () => new Set(fleet.processed().map((entry) => entry.n)).size === 20_000,
      {
        description: 'every message processed',
        timeoutMs: 60_000,
      },
    );
    const entries = fleet.processed();
    expect(keyOrderViolations(entries)).toEqual([]);
    const repeated = duplicates(entries);
    for (const [n, list] of repeated) {
      expect({
        n,
        byVictim: list.some((entry) => entry.worker === victim.name),
      }).toEqual({
        n,
        byVictim: true,
      });
      expect(orphaned).toContain(list[0].partition);
    }
    process.stderr.write(
      `kill -9: ${entries.length} processed, ${repeated.size} redelivered, ` +
        `partitions owned again after ${reassignedAt - killedAt} ms\n`,
    );
  });

  it('scales from one member to three and back without loss or double ownership', async () => {
    fleet = newFleet('scaling');
    const first = await fleet.start('first');
    await waitFor(() => first.owned().length === 6, {
      description: 'six partitions',
    });

    const startedAt = Date.now();
    const producing = produce(0, 6_000);
    const second = await fleet.start('second');
    const third = await fleet.start('third');
    await waitFor(
      () =>
        [first, second, third].every((worker) => worker.owned().length === 2),
      { description: 'two partitions each', timeoutMs: 30_000 },
    );
    await producing;
    const moreProducing = produce(6_000, 12_000);
    await second.process.kill('SIGTERM');
    await third.process.kill('SIGTERM');
    await waitFor(() => first.owned().length === 6, {
      description: 'the first member to own everything again',
      timeoutMs: 30_000,
    });
    await moreProducing;
    await waitFor(
      () => new Set(fleet.processed().map((entry) => entry.n)).size === 12_000,
      {
        description: 'every message processed',
        timeoutMs: 60_000,
      },
    );
    // Each member's ownership over time, from the timestamps of its own
    // events (one clock: same machine), sampled every 10 ms of the run.
    const doubles: string[] = [];
    for (let moment = startedAt; moment <= Date.now(); moment += 10) {
      const owners = new Map<number, string[]>();
      for (const worker of fleet.workers) {
        for (const partition of ownedAt(worker, moment)) {
          owners.set(partition, [
            ...(owners.get(partition) ?? []),
            worker.name,
          ]);
        }
      }
      for (const [partition, names] of owners) {
        if (names.length > 1) {
          doubles.push(
            `${moment}: partition ${partition} owned by ${names.join(' and ')}`,
          );
        }
      }
    }
    expect(doubles).toEqual([]);
    // A member stopped with SIGTERM leaves cleanly.
    expect(second.process.child.exitCode).toBe(0);
    expect(third.process.child.exitCode).toBe(0);
    const entries = fleet.processed();
    expect(keyOrderViolations(entries)).toEqual([]);
    // Clean hand-overs commit first, so nothing is processed twice.
    expect([...duplicates(entries).keys()]).toEqual([]);
  });

  it('fences a paused member that lost its partitions', async () => {
    // A transactional worker paused inside its handler: when it wakes up,
    // its transaction tries to commit the offset under the generation it
    // held before the pause.
    fleet = new WorkerFleet({
      mongoUrl: testMongoUrl(),
      database: broker.database,
      topic,
      groupId: 'fenced',
      brokerOptions: {
        heartbeatIntervalMs: HEARTBEAT_MS,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        retryDelayMs: 100,
      },
      env: {
        EFFECTS_COLLECTION: 'effects',
        HANDLER_DELAY_MS: '1000',
        PRINT_HANDLING: '1',
      },
    });
    const sleeper = await fleet.start('sleeper');
    await waitFor(() => sleeper.owned().length === 6, {
      description: 'six partitions',
    });
    await produce(0, 1);
    const handling = await sleeper.process.waitForLine(/"type":"handling"/);
    sleeper.process.child.kill('SIGSTOP');
    const n = (JSON.parse(handling) as { n: number }).n;

    const awake = await fleet.start('awake');
    await waitFor(() => awake.processed().some((entry) => entry.n === n), {
      description: 'the live member to process the record again',
      timeoutMs: 30_000,
    });
    sleeper.process.child.kill('SIGCONT');
    // Whichever comes first after the wake-up: the transaction reaches its
    // offset commit and is fenced, or the member notices its missed
    // session timeout, ends the partition's session and gives the record up.
    await sleeper.process.waitForLine(
      /Offset commit fenced|Record abandoned/,
      20_000,
    );

    const effects = await broker
      .getDatabase()
      .collection('effects')
      .find({ n })
      .toArray();
    // The sleeper's handler ran on after the pause, but its transaction
    // could not commit, so only one effect exists.
    expect(effects.map((effect) => effect.worker)).toEqual(['awake']);
  });

  it('keeps the partitions of a handler that awaits longer than the session timeout', async () => {
    fleet = newFleet('patient', SESSION_TIMEOUT_MS + 1_500);
    const slow = await fleet.start('slow');
    await waitFor(() => slow.owned().length === 6, {
      description: 'six partitions',
    });
    await produce(0, 2);
    await waitFor(() => slow.processed().length === 2, {
      description: 'two slow records',
      timeoutMs: 30_000,
    });
    expect(
      slow
        .events()
        .filter((event) => event.type === 'consumer.partitions.lost'),
    ).toEqual([]);
  });

  it('gives two groups of processes every message each', async () => {
    fleet = newFleet('left');
    const other = newFleet('right');
    try {
      await fleet.start('left-1');
      await fleet.start('left-2');
      await other.start('right-1');
      await other.start('right-2');
      await produce(0, 3_000);
      await waitFor(
        () =>
          new Set(fleet.processed().map((entry) => entry.n)).size === 3_000 &&
          new Set(other.processed().map((entry) => entry.n)).size === 3_000,
        { description: 'both groups to see everything', timeoutMs: 60_000 },
      );
    } finally {
      await other.stopAll();
    }
  });
});
