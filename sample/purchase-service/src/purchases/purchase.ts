import type { PurchaseStatus } from '../../../shared/purchase-event';

/** A purchase as stored in the `purchases` collection. */
export interface PurchaseDocument {
  /** The purchase id: given by the client, or generated. */
  _id: string;
  customerId: string;
  productId: string;
  productType: string;
  amount: number;
  status: PurchaseStatus;
  /** Payment provider's transaction id, when known. */
  transactionId?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A purchase as the HTTP API returns it. */
export interface PurchaseView extends Omit<PurchaseDocument, '_id'> {
  purchaseId: string;
}

/** Converts a stored purchase to its HTTP form. */
export function toPurchaseView(document: PurchaseDocument): PurchaseView {
  const { _id, ...fields } = document;
  return { purchaseId: _id, ...fields };
}
