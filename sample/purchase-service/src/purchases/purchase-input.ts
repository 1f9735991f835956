import { BadRequestException } from '@nestjs/common';
import {
  PURCHASE_STATUSES,
  type PurchaseStatus,
} from '../../../shared/purchase-event';

/** A validated `POST /purchases` body. */
export interface CreatePurchaseInput {
  /**
   * Id chosen by the client, for example its checkout id, so that a
   * retried request cannot create a second purchase. Generated when absent.
   */
  purchaseId?: string;
  customerId: string;
  productId: string;
  productType: string;
  amount: number;
  status: PurchaseStatus;
  transactionId?: string;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

function invalid(field: string, expected: string, value: unknown): never {
  throw new BadRequestException(
    `Invalid ${field}: expected ${expected}, got ${JSON.stringify(value)}.`,
  );
}

function readId(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    invalid(field, '1 to 64 letters, digits, "_" or "-"', value);
  }
  return value;
}

function readOptionalId(
  body: Record<string, unknown>,
  field: string,
): string | undefined {
  return body[field] === undefined ? undefined : readId(body, field);
}

/** Validates a purchase status, as in `PATCH /purchases/:id/status`. */
export function parsePurchaseStatus(value: unknown): PurchaseStatus {
  if (!PURCHASE_STATUSES.includes(value as PurchaseStatus)) {
    invalid('status', `one of ${PURCHASE_STATUSES.join(', ')}`, value);
  }
  return value as PurchaseStatus;
}

/** Validates a `POST /purchases` body. */
export function parseCreatePurchase(body: unknown): CreatePurchaseInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestException(
      'Invalid request body: expected a JSON object with customerId, ' +
        'productId, productType and amount.',
    );
  }
  const fields = body as Record<string, unknown>;

  const amount = fields.amount;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
    invalid('amount', 'a number >= 0', amount);
  }
  const productType = fields.productType;
  if (typeof productType !== 'string' || productType.trim() === '') {
    invalid('productType', 'a non-empty string such as "course"', productType);
  }

  return {
    purchaseId: readOptionalId(fields, 'purchaseId'),
    customerId: readId(fields, 'customerId'),
    productId: readId(fields, 'productId'),
    productType,
    amount,
    status:
      fields.status === undefined
        ? 'pending'
        : parsePurchaseStatus(fields.status),
    transactionId: readOptionalId(fields, 'transactionId'),
  };
}
