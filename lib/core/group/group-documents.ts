import type { Document } from 'mongodb';

/** A consumer-group member, refreshed by its heartbeats. */
export interface MemberDocument {
  /** Member id (unique per consumer instance). */
  _id: string;
  group: string;
  topic: string;
  host: string;
  pid: number;
  joinedAt: Date;
  /** Server time of the last heartbeat. */
  heartbeatAt: Date;
}

/** Key of an ownership document. */
export interface OwnershipKey {
  g: string;
  t: string;
  p: number;
}

/** Ownership of one partition of a topic within a group. */
export interface OwnershipDocument {
  _id: OwnershipKey;
  group: string;
  topic: string;
  partition: number;
  /** Member id of the owner, or null when released. */
  owner: string | null;
  /** Grows by one every time the partition changes hands. */
  generation: number;
  /** Server time of the owner's last heartbeat (the lease start). */
  leaseAt: Date;
  /**
   * Id of the session the owner runs this partition's transactions in. A
   * member that takes the partition over without a release kills it, which
   * aborts a transaction the previous owner left open.
   */
  session?: Document;
}
