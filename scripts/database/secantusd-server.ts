import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { findFreePort } from './free-port';

/** Options for a SecantusDB server started on loopback. */
export interface SecantusdServerOptions {
  /** Path of the `secantusd-*` executable. */
  binary: string;
  /** TCP port; a free one is picked when omitted. */
  port?: number;
  /** WiredTiger directory; a temporary one is created when omitted. */
  storagePath?: string;
  /** Change-history (oplog) entry cap. The server's default is 100,000. */
  oplogMaxEntries?: number;
  /** Change-history retention in seconds. The server's default is 3,600. */
  oplogRetentionSeconds?: number;
  /** Extra command-line flags. */
  extraArgs?: string[];
  /** Time to wait for the server's reply to `hello`, in milliseconds. */
  startTimeoutMs?: number;
}

/**
 * A SecantusDB server process owned by the caller: started on a loopback
 * port with on-disk storage, so it can be killed and restarted on the same
 * data directory.
 */
export class SecantusdServer {
  readonly binary: string;
  readonly storagePath: string;
  private readonly ownsStorage: boolean;
  private readonly args: string[];
  private readonly startTimeoutMs: number;
  private child?: ChildProcess;
  private portNumber?: number;

  constructor(private readonly options: SecantusdServerOptions) {
    this.binary = options.binary;
    this.ownsStorage = options.storagePath === undefined;
    this.storagePath =
      options.storagePath ?? mkdtempSync(join(tmpdir(), 'csb-secantusd-'));
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.args = [...(options.extraArgs ?? [])];
    if (options.oplogMaxEntries !== undefined) {
      this.args.push('--oplog-max-entries', String(options.oplogMaxEntries));
    }
    if (options.oplogRetentionSeconds !== undefined) {
      this.args.push(
        '--oplog-retention-seconds',
        String(options.oplogRetentionSeconds),
      );
    }
  }

  /** Port the server listens on; defined once `start()` resolved. */
  get port(): number {
    if (this.portNumber === undefined) {
      throw new Error('The SecantusDB server has not been started yet.');
    }
    return this.portNumber;
  }

  /** Connection string of the server (loopback, no credentials). */
  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  /** Process id of the running server, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the server and waits until it replies to `hello`. */
  async start(): Promise<void> {
    if (this.child) {
      throw new Error(`The SecantusDB server already runs (pid ${this.pid}).`);
    }
    this.portNumber ??= this.options.port ?? (await findFreePort());

    const log = createWriteStream(`${this.storagePath}.log`, { flags: 'a' });
    const child = spawn(
      this.binary,
      [
        '--host',
        '127.0.0.1',
        '--port',
        String(this.portNumber),
        '--storage-path',
        this.storagePath,
        ...this.args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) {
        this.child = undefined;
      }
    });

    await this.waitUntilReady(child);
  }

  /** Sends a signal (SIGKILL by default) and waits for the process to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.child = undefined;
      return;
    }
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  /** Stops the server, then starts it again on the same port and data. */
  async restart(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.kill(signal);
    await this.start();
  }

  /** Stops the server and removes a data directory it created itself. */
  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    if (this.ownsStorage) {
      rmSync(this.storagePath, { recursive: true, force: true });
      rmSync(`${this.storagePath}.log`, { force: true });
    }
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + this.startTimeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${this.binary} exited during start-up (code ${child.exitCode}, ` +
            `signal ${child.signalCode}); see ${this.storagePath}.log`,
        );
      }
      const client = new MongoClient(this.url, {
        directConnection: true,
        serverSelectionTimeoutMS: 500,
      });
      try {
        await client.db('admin').command({ hello: 1 });
        return;
      } catch (error) {
        lastError = error;
      } finally {
        await client.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.kill();
    throw new Error(
      `${this.binary} did not respond on ${this.url} within ` +
        `${this.startTimeoutMs} ms: ${String(lastError)}`,
    );
  }
}
