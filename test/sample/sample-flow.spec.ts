import { MongoClient } from 'mongodb';
import {
  ChangeStreamBroker,
  partitionForKey,
  silentLogger,
  type MessageHeaders,
} from '../../lib/core';
import { requestJson } from '../../sample/demo/http-json';
import type {
  EnrollmentResponse,
  PurchaseResponse,
} from '../../sample/demo/purchase-flow';
import {
  SERVICE_ENTRIES,
  ServiceProcess,
} from '../../sample/demo/service-process';
import {
  PURCHASES_TOPIC,
  PURCHASES_TOPIC_CONFIG,
  PurchaseEventHeaders,
  PurchaseEventType,
  type PurchaseEvent,
} from '../../sample/shared/purchase-event';
import { findFreePort } from '../../scripts/database/free-port';
import { testMongoUrl, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

/** A purchase event as stored in the topic collection. */
interface StoredPurchaseEvent {
  key: string;
  partition: number;
  value: PurchaseEvent;
  headers: MessageHeaders;
}

function writeOutput(line: string): void {
  if (process.env.CSB_TEST_LOGS) {
    process.stderr.write(`${line}\n`);
  }
}

describe('sample services', () => {
  const databases = {
    BROKER_DATABASE: uniqueName('csb_sample_events'),
    PURCHASE_DATABASE: uniqueName('csb_sample_purchases'),
    CLASSROOM_DATABASE: uniqueName('csb_sample_classroom'),
  };
  let client: MongoClient;
  let purchaseService: ServiceProcess | undefined;
  let classroomService: ServiceProcess | undefined;

  beforeAll(async () => {
    client = await MongoClient.connect(testMongoUrl());
    const env = { MONGO_URL: testMongoUrl(), ...databases };
    purchaseService = await ServiceProcess.start({
      name: 'purchase-service',
      entry: SERVICE_ENTRIES.purchase,
      port: await findFreePort(),
      env,
      output: writeOutput,
    });
    classroomService = await ServiceProcess.start({
      name: 'classroom-service',
      entry: SERVICE_ENTRIES.classroom,
      port: await findFreePort(),
      env,
      output: writeOutput,
    });
  }, 120_000);

  afterAll(async () => {
    await classroomService?.stop();
    await purchaseService?.stop();
    for (const name of Object.values(databases)) {
      await client.db(name).dropDatabase();
    }
    await client.close();
  }, 60_000);

  function purchaseUrl(path: string): string {
    return `${purchaseService!.url}/purchases${path}`;
  }

  function createPurchase(body: object): Promise<PurchaseResponse> {
    return requestJson('POST', purchaseUrl(''), body);
  }

  function completePurchase(purchaseId: string): Promise<PurchaseResponse> {
    return requestJson('PATCH', purchaseUrl(`/${purchaseId}/status`), {
      status: 'completed',
    });
  }

  function enrollmentsOf(studentId: string): Promise<EnrollmentResponse[]> {
    return requestJson(
      'GET',
      `${classroomService!.url}/enrollments/student/${studentId}`,
    );
  }

  function storedEvents(purchaseId: string): Promise<StoredPurchaseEvent[]> {
    return client
      .db(databases.BROKER_DATABASE)
      .collection<StoredPurchaseEvent>(PURCHASES_TOPIC)
      .find({ key: purchaseId })
      .sort({ _id: 1 })
      .toArray();
  }

  /** Returns a fresh purchase id whose events go to `partition`. */
  function purchaseIdOnPartition(partition: number): string {
    for (;;) {
      const purchaseId = uniqueName('purchase');
      const partitions = PURCHASES_TOPIC_CONFIG.partitions;
      if (partitionForKey(purchaseId, partitions) === partition) {
        return purchaseId;
      }
    }
  }

  /**
   * Creates a completed course purchase on `partition` and waits until
   * classroom-service enrolled it. Events of one partition are handled in
   * order, so every earlier event of that partition was handled too.
   */
  async function enrollMarker(
    studentId: string,
    partition: number,
  ): Promise<void> {
    const purchaseId = purchaseIdOnPartition(partition);
    await createPurchase({
      purchaseId,
      customerId: studentId,
      productId: 'course-marker',
      productType: 'course',
      amount: 1,
      status: 'completed',
    });
    await waitFor(
      async () =>
        (await enrollmentsOf(studentId)).some(
          (enrollment) => enrollment.purchaseId === purchaseId,
        ),
      { description: `the enrollment for marker purchase ${purchaseId}` },
    );
  }

  it('enrolls a completed course purchase', async () => {
    const studentId = uniqueName('student');

    const created = await createPurchase({
      customerId: studentId,
      productId: 'course-101',
      productType: 'course',
      amount: 49.9,
    });
    expect(created.status).toBe('pending');
    const completed = await completePurchase(created.purchaseId);
    expect(completed.status).toBe('completed');

    const enrollments = await waitFor(
      async () => {
        const found = await enrollmentsOf(studentId);
        return found.length > 0 ? found : undefined;
      },
      { description: `an enrollment of ${studentId}` },
    );
    expect(enrollments).toHaveLength(1);
    expect(enrollments[0].purchaseId).toBe(created.purchaseId);
    expect(enrollments[0].courseId).toBe('course-101');
    expect(enrollments[0].status).toBe('active');

    const events = await storedEvents(created.purchaseId);
    expect(events.map((event) => event.headers)).toEqual([
      {
        [PurchaseEventHeaders.eventType]: PurchaseEventType.Created,
        [PurchaseEventHeaders.source]: 'purchase-service',
      },
      {
        [PurchaseEventHeaders.eventType]: PurchaseEventType.StatusChanged,
        [PurchaseEventHeaders.source]: 'purchase-service',
      },
    ]);
    expect(events[1].value).toEqual(
      expect.objectContaining({
        purchaseId: created.purchaseId,
        customerId: studentId,
        productId: 'course-101',
        productType: 'course',
        amount: 49.9,
        status: 'completed',
        previousStatus: 'pending',
      }),
    );
  });

  it('enrolls once per purchase', async () => {
    const studentId = uniqueName('student');
    const created = await createPurchase({
      customerId: studentId,
      productId: 'course-202',
      productType: 'course',
      amount: 10,
    });
    await completePurchase(created.purchaseId);
    await waitFor(async () => (await enrollmentsOf(studentId)).length > 0, {
      description: `an enrollment of ${studentId}`,
    });

    // Completing a completed purchase publishes nothing.
    await completePurchase(created.purchaseId);
    const events = await storedEvents(created.purchaseId);
    expect(events).toHaveLength(2);

    // Deliver the status change again, as after a crash before the offset
    // commit, then wait for a later purchase on the same partition.
    const statusChanged = events[1];
    const broker = new ChangeStreamBroker({
      mongoUri: testMongoUrl(),
      database: databases.BROKER_DATABASE,
      logger: silentLogger,
    });
    await broker.connect();
    try {
      const producer = await broker.createProducer({ topic: PURCHASES_TOPIC });
      const [copy] = await producer.send({
        key: statusChanged.key,
        value: statusChanged.value,
        headers: statusChanged.headers,
      });
      expect(copy.partition).toBe(statusChanged.partition);
    } finally {
      await broker.disconnect();
    }
    await enrollMarker(studentId, statusChanged.partition);

    const enrollments = await enrollmentsOf(studentId);
    const forPurchase = enrollments.filter(
      (enrollment) => enrollment.purchaseId === created.purchaseId,
    );
    expect(forPurchase).toHaveLength(1);
    expect(enrollments).toHaveLength(2);
    // The copy was handled, not dead-lettered by the unique index on
    // purchaseId after failed attempts.
    const deadLetters = await client
      .db(databases.BROKER_DATABASE)
      .collection(`${PURCHASES_TOPIC}.dlq`)
      .countDocuments({ key: created.purchaseId });
    expect(deadLetters).toBe(0);
  });

  it('skips pending and non-course purchases', async () => {
    const studentId = uniqueName('student');
    const pendingCourse = await createPurchase({
      purchaseId: purchaseIdOnPartition(0),
      customerId: studentId,
      productId: 'course-303',
      productType: 'course',
      amount: 10,
    });
    const completedEbook = await createPurchase({
      purchaseId: purchaseIdOnPartition(0),
      customerId: studentId,
      productId: 'ebook-1',
      productType: 'ebook',
      amount: 5,
      status: 'completed',
    });

    await enrollMarker(studentId, 0);

    const purchaseIds = (await enrollmentsOf(studentId)).map(
      (enrollment) => enrollment.purchaseId,
    );
    expect(purchaseIds).not.toContain(pendingCourse.purchaseId);
    expect(purchaseIds).not.toContain(completedEbook.purchaseId);
    expect(purchaseIds).toHaveLength(1);
  });

  it('publishes nothing from an aborted transaction', async () => {
    const studentId = uniqueName('student');
    const purchaseId = purchaseIdOnPartition(1);
    const body = {
      purchaseId,
      customerId: studentId,
      productId: 'course-404',
      productType: 'course',
      amount: 20,
      status: 'completed',
    };
    await createPurchase(body);

    // The same id again: purchase-service writes the event, then the
    // insert fails on the duplicate id and the transaction aborts.
    const retry = createPurchase({ ...body, amount: 999 });
    await expect(retry).rejects.toThrow('failed with status 409');

    const events = await storedEvents(purchaseId);
    expect(events).toHaveLength(1);
    expect(events[0].value.amount).toBe(20);
    const purchases = await requestJson<PurchaseResponse[]>(
      'GET',
      purchaseUrl(`/customer/${studentId}`),
    );
    expect(purchases.map((purchase) => purchase.amount)).toEqual([20]);

    await enrollMarker(studentId, 1);
    const enrollments = await enrollmentsOf(studentId);
    const forPurchase = enrollments.filter(
      (enrollment) => enrollment.purchaseId === purchaseId,
    );
    expect(forPurchase).toHaveLength(1);
  });
});
