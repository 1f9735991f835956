import type { ObjectId } from 'mongodb';

/** Statuses an enrollment can have. */
export type EnrollmentStatus = 'active' | 'completed';

/** An enrollment as stored in the `enrollments` collection. */
export interface EnrollmentDocument {
  _id: ObjectId;
  /** The buyer of the course. */
  studentId: string;
  courseId: string;
  /** Purchase that created the enrollment; unique. */
  purchaseId: string;
  status: EnrollmentStatus;
  enrolledAt: Date;
}

/** An enrollment as the HTTP API returns it. */
export interface EnrollmentView extends Omit<EnrollmentDocument, '_id'> {
  enrollmentId: string;
}

/** Converts a stored enrollment to its HTTP form. */
export function toEnrollmentView(document: EnrollmentDocument): EnrollmentView {
  const { _id, ...fields } = document;
  return { enrollmentId: _id.toHexString(), ...fields };
}
