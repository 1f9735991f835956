import { randomBytes } from 'node:crypto';
import { requestJson } from './http-json';

/** Base URLs of the two services. */
export interface ServiceUrls {
  purchase: string;
  classroom: string;
}

/** A purchase as purchase-service returns it. */
export interface PurchaseResponse {
  purchaseId: string;
  customerId: string;
  productId: string;
  productType: string;
  amount: number;
  status: string;
}

/** An enrollment as classroom-service returns it. */
export interface EnrollmentResponse {
  enrollmentId: string;
  studentId: string;
  courseId: string;
  purchaseId: string;
  status: string;
  enrolledAt: string;
}

/** Outcome of {@link runPurchaseFlow}: the student, purchase and enrollment. */
export interface PurchaseFlowResult {
  studentId: string;
  purchase: PurchaseResponse;
  enrollment: EnrollmentResponse;
}

/** Options of {@link runPurchaseFlow}. */
export interface PurchaseFlowOptions {
  /** Receives one line per step. */
  log: (line: string) => void;
  /** Bound on the wait for the enrollment, in milliseconds. @default 30000 */
  enrollmentTimeoutMs?: number;
}

const POLL_INTERVAL_MS = 250;

/**
 * Runs the sample's scenario: a student buys a course (pending), the
 * purchase is completed, and classroom-service enrolls the student after
 * consuming the `purchase.status.changed` event.
 */
export async function runPurchaseFlow(
  urls: ServiceUrls,
  options: PurchaseFlowOptions,
): Promise<PurchaseFlowResult> {
  const { log } = options;
  const studentId = `student-${randomBytes(3).toString('hex')}`;

  const created = await requestJson<PurchaseResponse>(
    'POST',
    `${urls.purchase}/purchases`,
    {
      customerId: studentId,
      productId: 'course-nestjs-101',
      productType: 'course',
      amount: 49.9,
    },
  );
  log(
    `Created purchase ${created.purchaseId} of ${created.productId} for ` +
      `${studentId} (status ${created.status})`,
  );

  const completed = await requestJson<PurchaseResponse>(
    'PATCH',
    `${urls.purchase}/purchases/${created.purchaseId}/status`,
    { status: 'completed' },
  );
  log(
    `Completed purchase ${completed.purchaseId} (status ${completed.status})`,
  );

  log(`Waiting for the enrollment of ${studentId} in classroom-service`);
  const enrollment = await waitForEnrollment(
    `${urls.classroom}/enrollments/student/${studentId}`,
    options.enrollmentTimeoutMs ?? 30_000,
  );
  return { studentId, purchase: completed, enrollment };
}

async function waitForEnrollment(
  url: string,
  timeoutMs: number,
): Promise<EnrollmentResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const enrollments = await requestJson<EnrollmentResponse[]>('GET', url);
    if (enrollments.length > 0) {
      return enrollments[0];
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for an enrollment at ` +
          `${url}. Check the classroom-service output for errors.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
