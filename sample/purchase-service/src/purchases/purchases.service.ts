import {
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  type OnModuleInit,
} from '@nestjs/common';
import {
  ObjectId,
  MongoServerError,
  type Collection,
  type MongoClient,
} from 'mongodb';
import {
  InjectMongoClient,
  InjectPublisher,
  TopicBoundPublisher,
} from '../../../../lib';
import {
  PURCHASES_TOPIC,
  PurchaseEventType,
  type PurchaseEvent,
  type PurchaseStatus,
} from '../../../shared/purchase-event';
import {
  toPurchaseView,
  type PurchaseDocument,
  type PurchaseView,
} from './purchase';
import type { CreatePurchaseInput } from './purchase-input';
import { buildPurchaseMessage } from './purchase-messages';
import { PURCHASE_DATABASE_NAME } from './purchases.tokens';

const DUPLICATE_KEY = 11000;

/**
 * Stores purchases and publishes their events. Each change and its event
 * are written in one transaction, so consumers see an event if and only if
 * the change committed.
 */
@Injectable()
export class PurchasesService implements OnModuleInit {
  private readonly logger = new Logger(PurchasesService.name);
  private readonly purchases: Collection<PurchaseDocument>;

  constructor(
    @InjectMongoClient() private readonly client: MongoClient,
    @Inject(PURCHASE_DATABASE_NAME) databaseName: string,
    @InjectPublisher(PURCHASES_TOPIC)
    private readonly publisher: TopicBoundPublisher<PurchaseEvent>,
  ) {
    this.purchases = client
      .db(databaseName)
      .collection<PurchaseDocument>('purchases');
  }

  /** Creates the index of customer lookups, and with it the collection. */
  async onModuleInit(): Promise<void> {
    await this.purchases.createIndex({ customerId: 1, createdAt: 1 });
  }

  /**
   * Stores a new purchase and publishes `purchase.created`. Throws
   * `ConflictException` when the purchase id is taken.
   */
  async create(input: CreatePurchaseInput): Promise<PurchaseView> {
    const now = new Date();
    const purchase: PurchaseDocument = {
      _id: input.purchaseId ?? new ObjectId().toHexString(),
      customerId: input.customerId,
      productId: input.productId,
      productType: input.productType,
      amount: input.amount,
      status: input.status,
      // The driver stores an undefined field as null, so it is left out.
      ...(input.transactionId === undefined
        ? {}
        : { transactionId: input.transactionId }),
      createdAt: now,
      updatedAt: now,
    };
    const message = buildPurchaseMessage(PurchaseEventType.Created, purchase);

    try {
      await this.client.withSession((session) =>
        session.withTransaction(async () => {
          // Both writes commit or abort together, whatever their order.
          // The event goes first, so when the insert fails on a duplicate
          // purchase id, the abort also discards an event already written.
          await this.publisher.send(message, { session });
          await this.purchases.insertOne(purchase, { session });
        }),
      );
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) {
        this.logger.warn(
          `Rejected purchase ${purchase._id}: the id is already taken`,
        );
        throw new ConflictException(
          `Purchase "${purchase._id}" already exists. Send another ` +
            'purchaseId, or none to get a generated one.',
        );
      }
      throw error;
    }

    this.logger.log(
      `Created purchase ${purchase._id} (${purchase.productType}, ` +
        `${purchase.status}) for customer ${purchase.customerId}`,
    );
    return toPurchaseView(purchase);
  }

  /**
   * Changes a purchase's status and publishes `purchase.status.changed`
   * with the whole purchase. Setting the current status again changes
   * nothing and publishes nothing. Throws `NotFoundException` for an
   * unknown id.
   */
  async updateStatus(
    purchaseId: string,
    status: PurchaseStatus,
  ): Promise<PurchaseView> {
    const result = await this.client.withSession((session) =>
      session.withTransaction(async () => {
        const current = await this.purchases.findOne(
          { _id: purchaseId },
          { session },
        );
        if (!current || current.status === status) {
          return { purchase: current, previousStatus: current?.status };
        }

        const updated: PurchaseDocument = {
          ...current,
          status,
          updatedAt: new Date(),
        };
        await this.purchases.updateOne(
          { _id: purchaseId },
          { $set: { status, updatedAt: updated.updatedAt } },
          { session },
        );
        await this.publisher.send(
          buildPurchaseMessage(
            PurchaseEventType.StatusChanged,
            updated,
            current.status,
          ),
          { session },
        );
        return { purchase: updated, previousStatus: current.status };
      }),
    );

    if (!result.purchase) {
      throw new NotFoundException(`Purchase "${purchaseId}" not found.`);
    }
    if (result.previousStatus !== status) {
      this.logger.log(
        `Purchase ${purchaseId} status changed from ` +
          `${result.previousStatus} to ${status}`,
      );
    }
    return toPurchaseView(result.purchase);
  }

  /** Lists a customer's purchases, oldest first. */
  async findByCustomer(customerId: string): Promise<PurchaseView[]> {
    const documents = await this.purchases
      .find({ customerId })
      .sort({ createdAt: 1 })
      .toArray();
    return documents.map(toPurchaseView);
  }
}
