import type { TopicConfig } from '../../lib';

/** Topic on which purchase-service publishes purchase events. */
export const PURCHASES_TOPIC = 'purchases';

/**
 * Settings of the purchases topic. Both services declare them, so the
 * topic gets the same partition count whichever service starts first.
 */
export const PURCHASES_TOPIC_CONFIG = {
  name: PURCHASES_TOPIC,
  partitions: 3,
} as const satisfies TopicConfig;

/** Values of the `event-type` header of purchase events. */
export const PurchaseEventType = {
  Created: 'purchase.created',
  StatusChanged: 'purchase.status.changed',
} as const;

/** One of the {@link PurchaseEventType} values. */
export type PurchaseEventType =
  (typeof PurchaseEventType)[keyof typeof PurchaseEventType];

/** Header names of purchase events. */
export const PurchaseEventHeaders = {
  /** A {@link PurchaseEventType}. */
  eventType: 'event-type',
  /** Name of the service that published the event. */
  source: 'source',
} as const;

/** Statuses a purchase can have. */
export const PURCHASE_STATUSES = [
  'pending',
  'completed',
  'cancelled',
  'refunded',
] as const;

/** One of the {@link PURCHASE_STATUSES}. */
export type PurchaseStatus = (typeof PURCHASE_STATUSES)[number];

/**
 * Value of every purchase event: a snapshot of the purchase after the
 * change, so a consumer can act without calling purchase-service. Messages
 * are keyed by `purchaseId`, so the events of one purchase stay in order.
 */
export interface PurchaseEvent {
  purchaseId: string;
  /** The buyer; classroom-service enrolls it as the student. */
  customerId: string;
  /** The product; for a course, the course id. */
  productId: string;
  /** Kind of product, for example `course` or `ebook`. */
  productType: string;
  amount: number;
  status: PurchaseStatus;
  /** Status before this change; only on `purchase.status.changed`. */
  previousStatus?: PurchaseStatus;
  createdAt: Date;
  updatedAt: Date;
}
