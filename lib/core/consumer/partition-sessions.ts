import type { ClientSession, MongoClient } from 'mongodb';
import { ignoreError } from '../util/ignore-error';

/** Server session id of a client session (`session.id`). */
export type SessionId = NonNullable<ClientSession['id']>;

/**
 * One MongoDB session per owned partition for transactional handlers. A
 * partition's records run one at a time, so its transactions never overlap
 * on the session. Each session id is stored with the partition's ownership
 * before the first transaction. A member that takes the partition over from
 * one that died or froze kills that session. This aborts its open
 * transaction and releases its locks at once, instead of after the server's
 * transaction lifetime limit.
 */
export class PartitionSessions {
  private readonly sessions = new Map<number, Promise<ClientSession>>();

  constructor(
    private readonly client: MongoClient,
    private readonly announce: (
      partition: number,
      id: SessionId,
    ) => Promise<void>,
  ) {}

  /** Returns the partition's session, starting and announcing it first. */
  sessionFor(partition: number): Promise<ClientSession> {
    let session = this.sessions.get(partition);
    if (!session) {
      session = this.start(partition);
      this.sessions.set(partition, session);
      session.catch(() => this.sessions.delete(partition));
    }
    return session;
  }

  /** Ends the session of a partition that left this member. */
  async end(partition: number): Promise<void> {
    const session = this.sessions.get(partition);
    this.sessions.delete(partition);
    if (session) {
      await session.then((started) => started.endSession()).catch(ignoreError);
    }
  }

  /** Ends every session. */
  async endAll(): Promise<void> {
    await Promise.all(
      [...this.sessions.keys()].map((partition) => this.end(partition)),
    );
  }

  private async start(partition: number): Promise<ClientSession> {
    const session = this.client.startSession();
    if (!session.id) {
      await session.endSession();
      throw new Error(
        'The driver started a session without a server session id.',
      );
    }
    await this.announce(partition, session.id);
    return session;
  }
}
