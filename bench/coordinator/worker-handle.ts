import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnTracked } from '../infra/child-processes';
import type { RequestEnvelope, WorkerMessage } from '../protocol';

const REPOSITORY_ROOT = resolve(__dirname, '..', '..');
const WORKER_DIRECTORY = join(REPOSITORY_ROOT, 'bench', 'workers');

/** Worker entry points in `bench/workers`. */
export type WorkerScript = 'consumer-worker' | 'producer-worker';

interface PendingRequest {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * One worker process, started as `node -r @swc-node/register
 * bench/workers/<script>.ts` with an IPC channel. Its stdout and stderr go
 * to `logPath`.
 */
export class WorkerHandle<Request> {
  /** Latest message count the worker reported. */
  count = 0;
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private exitError?: Error;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly logPath: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: WorkerMessage) => this.receive(message));
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.exitError = new Error(
          `Worker ${name} exited (code ${code}, signal ${signal}). ` +
            `Last lines of ${logPath}:\n${tail(logPath, 20)}`,
        );
        for (const request of this.pending.values()) {
          clearTimeout(request.timer);
          request.reject(this.exitError);
        }
        this.pending.clear();
        resolveExit();
      });
    });
  }

  /** Spawns a worker; `nodeOptions` go before the script (`--cpu-prof`). */
  static spawn<Request>(
    script: WorkerScript,
    name: string,
    logDirectory: string,
    nodeOptions: string[] = [],
  ): WorkerHandle<Request> {
    const logPath = join(logDirectory, `${name}.log`);
    const log = openSync(logPath, 'a');
    const child = spawnTracked(
      'worker',
      process.execPath,
      [
        ...nodeOptions,
        '-r',
        '@swc-node/register',
        join(WORKER_DIRECTORY, `${script}.ts`),
      ],
      { cwd: REPOSITORY_ROOT, stdio: ['ignore', log, log, 'ipc'] },
    );
    closeSync(log);
    return new WorkerHandle<Request>(name, logPath, child);
  }

  /** Sends a request and resolves with the worker's reply. */
  request<Result>(request: Request, timeoutMs = 120_000): Promise<Result> {
    if (this.exitError) {
      return Promise.reject(this.exitError);
    }
    const id = this.nextId++;
    return new Promise<Result>((resolveReply, rejectReply) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        rejectReply(
          new Error(
            `Worker ${this.name} did not respond to ${JSON.stringify(request)} ` +
              `within ${timeoutMs} ms; see ${this.logPath}.`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (result) => resolveReply(result as Result),
        reject: rejectReply,
        timer,
      });
      const envelope: RequestEnvelope<Request> = { id, request };
      this.child.send(envelope);
    });
  }

  /**
   * Sends `stopRequest` and waits for the process to exit; kills it when it
   * has not exited within `timeoutMs`.
   */
  async stop(stopRequest: Request, timeoutMs = 30_000): Promise<void> {
    if (this.exitError) {
      return;
    }
    const killTimer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.request(stopRequest, timeoutMs).catch(() => undefined);
    await this.exited;
    clearTimeout(killTimer);
  }

  private receive(message: WorkerMessage): void {
    if (message.kind === 'progress') {
      this.count = message.count;
      return;
    }
    const request = this.pending.get(message.id);
    if (!request) {
      return;
    }
    this.pending.delete(message.id);
    clearTimeout(request.timer);
    if (message.ok) {
      request.resolve(message.result);
    } else {
      request.reject(new Error(`Worker ${this.name} failed: ${message.error}`));
    }
  }
}
