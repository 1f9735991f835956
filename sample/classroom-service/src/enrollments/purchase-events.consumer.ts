import { Injectable, Logger } from '@nestjs/common';
import {
  OnTopic,
  type ConsumerRecord,
  type HandlerContext,
} from '../../../../lib';
import {
  PURCHASES_TOPIC,
  PURCHASES_TOPIC_CONFIG,
  PurchaseEventHeaders,
  PurchaseEventType,
  type PurchaseEvent,
} from '../../../shared/purchase-event';
import { EnrollmentsService } from './enrollments.service';

/** Consumer group of classroom-service on the purchases topic. */
export const CLASSROOM_GROUP_ID = 'classroom-service';

const HANDLED_EVENT_TYPES: readonly string[] = [
  PurchaseEventType.Created,
  PurchaseEventType.StatusChanged,
];

/**
 * Enrolls students when their course purchase is completed. The handler
 * is transactional: the enrollment and the consumed offset commit
 * together, so an event creates at most one enrollment even when it is
 * delivered again.
 */
@Injectable()
export class PurchaseEventsConsumer {
  private readonly logger = new Logger(PurchaseEventsConsumer.name);

  constructor(private readonly enrollments: EnrollmentsService) {}

  @OnTopic(PURCHASES_TOPIC, {
    groupId: CLASSROOM_GROUP_ID,
    transactional: true,
    partitions: PURCHASES_TOPIC_CONFIG.partitions,
  })
  async onPurchaseEvent(
    record: ConsumerRecord<PurchaseEvent>,
    context: HandlerContext,
  ): Promise<void> {
    const eventType = record.message.headers[PurchaseEventHeaders.eventType];
    const purchase = record.message.value;
    if (!HANDLED_EVENT_TYPES.includes(eventType)) {
      this.logger.debug(
        `Ignoring event type ${eventType} of message ${record.message.id}`,
      );
      return;
    }
    if (purchase.productType !== 'course' || purchase.status !== 'completed') {
      return;
    }

    const enrollment = await this.enrollments.enrollForPurchase(
      purchase,
      context.session,
    );
    if (enrollment) {
      this.logger.log(
        `Enrolled student ${enrollment.studentId} in course ` +
          `${enrollment.courseId} for purchase ${purchase.purchaseId}`,
      );
    } else {
      this.logger.log(
        `Purchase ${purchase.purchaseId} already has an enrollment`,
      );
    }
  }
}
