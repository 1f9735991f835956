import type { ProducerMessage } from '../../../../lib';
import {
  PurchaseEventHeaders,
  type PurchaseEvent,
  type PurchaseEventType,
  type PurchaseStatus,
} from '../../../shared/purchase-event';
import type { PurchaseDocument } from './purchase';

/** Value of the `source` header of every event this service publishes. */
export const EVENT_SOURCE = 'purchase-service';

/**
 * Builds the message of a purchase event, keyed by purchase id so that the
 * events of one purchase land on one partition in order.
 */
export function buildPurchaseMessage(
  type: PurchaseEventType,
  purchase: PurchaseDocument,
  previousStatus?: PurchaseStatus,
): ProducerMessage<PurchaseEvent> {
  return {
    key: purchase._id,
    value: {
      purchaseId: purchase._id,
      customerId: purchase.customerId,
      productId: purchase.productId,
      productType: purchase.productType,
      amount: purchase.amount,
      status: purchase.status,
      ...(previousStatus === undefined ? {} : { previousStatus }),
      createdAt: purchase.createdAt,
      updatedAt: purchase.updatedAt,
    },
    headers: {
      [PurchaseEventHeaders.eventType]: type,
      [PurchaseEventHeaders.source]: EVENT_SOURCE,
    },
  };
}
