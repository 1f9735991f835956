import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  ObjectId,
  type ClientSession,
  type Collection,
  type MongoClient,
} from 'mongodb';
import { InjectMongoClient } from '../../../../lib';
import type { PurchaseEvent } from '../../../shared/purchase-event';
import {
  toEnrollmentView,
  type EnrollmentDocument,
  type EnrollmentView,
} from './enrollment';
import { CLASSROOM_DATABASE_NAME } from './enrollments.tokens';

/** Stores enrollments. */
@Injectable()
export class EnrollmentsService implements OnModuleInit {
  private readonly enrollments: Collection<EnrollmentDocument>;

  constructor(
    @InjectMongoClient() client: MongoClient,
    @Inject(CLASSROOM_DATABASE_NAME) databaseName: string,
  ) {
    this.enrollments = client
      .db(databaseName)
      .collection<EnrollmentDocument>('enrollments');
  }

  /**
   * Creates the indexes, and with them the collection, which a transaction
   * may then write to.
   */
  async onModuleInit(): Promise<void> {
    await this.enrollments.createIndex({ purchaseId: 1 }, { unique: true });
    await this.enrollments.createIndex({ studentId: 1, enrolledAt: 1 });
  }

  /**
   * Enrolls the buyer of a course purchase unless the purchase already has
   * an enrollment. Returns the new enrollment, or undefined when there was
   * one already. Reads and writes
   * in `session`, so a redelivered event finds the enrollment that the
   * first delivery committed.
   */
  async enrollForPurchase(
    purchase: PurchaseEvent,
    session?: ClientSession,
  ): Promise<EnrollmentView | undefined> {
    const existing = await this.enrollments.findOne(
      { purchaseId: purchase.purchaseId },
      { session },
    );
    if (existing) {
      return undefined;
    }

    const enrollment: EnrollmentDocument = {
      _id: new ObjectId(),
      studentId: purchase.customerId,
      courseId: purchase.productId,
      purchaseId: purchase.purchaseId,
      status: 'active',
      enrolledAt: new Date(),
    };
    await this.enrollments.insertOne(enrollment, { session });
    return toEnrollmentView(enrollment);
  }

  /** Lists a student's enrollments, oldest first. */
  async findByStudent(studentId: string): Promise<EnrollmentView[]> {
    const documents = await this.enrollments
      .find({ studentId })
      .sort({ enrolledAt: 1 })
      .toArray();
    return documents.map(toEnrollmentView);
  }
}
