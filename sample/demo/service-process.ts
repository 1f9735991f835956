import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** Repository root: services run from there so `-r @swc-node/register` resolves. */
export const REPOSITORY_ROOT = resolve(__dirname, '..', '..');

/** Entry files of the sample services, relative to the repository root. */
export const SERVICE_ENTRIES = {
  purchase: 'sample/purchase-service/src/main.ts',
  classroom: 'sample/classroom-service/src/main.ts',
} as const;

/** Options of {@link ServiceProcess.start}. */
export interface ServiceProcessOptions {
  /** Name printed before each output line. */
  name: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  /** HTTP port on 127.0.0.1. */
  port: number;
  /** Variables added to this process's environment (`PORT` is set). */
  env?: NodeJS.ProcessEnv;
  /** Receives each output line, prefixed with the name. @default ignore */
  output?: (line: string) => void;
  /** Bound on the wait for the first HTTP response, in milliseconds. @default 60000 */
  startTimeoutMs?: number;
}

/** Output lines kept for error messages. */
const KEPT_LINES = 40;

/**
 * A sample service running as a child Node process (TypeScript compiled on
 * the fly by `@swc-node/register`), reachable on 127.0.0.1.
 */
export class ServiceProcess {
  /** Base URL of the service's HTTP API. */
  readonly url: string;
  private readonly recentLines: string[] = [];
  private readonly exited: Promise<unknown>;
  private spawnError?: Error;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    port: number,
    output: (line: string) => void,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.exited = new Promise((resolve) => {
      child.once('exit', resolve);
      child.once('error', (error) => {
        this.spawnError = error;
        resolve(error);
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        const prefixed = `[${name}] ${line}`;
        this.recentLines.push(prefixed);
        this.recentLines.splice(0, this.recentLines.length - KEPT_LINES);
        output(prefixed);
      });
    }
  }

  /**
   * Starts the service and resolves once it responds to HTTP requests, which
   * Nest does only after its `@OnTopic` consumers started. Rejects with the
   * service's last output lines when it exits or times out first.
   */
  static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', options.entry],
      {
        cwd: REPOSITORY_ROOT,
        env: {
          ...process.env,
          ...options.env,
          PORT: String(options.port),
          ...(process.stdout.isTTY ? {} : { NO_COLOR: '1' }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const service = new ServiceProcess(
      options.name,
      child,
      options.port,
      options.output ?? (() => undefined),
    );
    try {
      await service.waitUntilReady(options.startTimeoutMs ?? 60_000);
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  /** Returns whether the process is still running. */
  isRunning(): boolean {
    return (
      this.spawnError === undefined &&
      this.child.exitCode === null &&
      this.child.signalCode === null
    );
  }

  /**
   * Sends SIGTERM, so the service leaves its consumer groups and
   * disconnects, and sends SIGKILL if it has not exited after
   * `graceMs` milliseconds.
   */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.isRunning()) {
      return;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.isRunning()) {
        throw new Error(
          `${this.name} exited during start-up (code ${this.child.exitCode}, ` +
            `signal ${this.child.signalCode}` +
            `${this.spawnError ? `, ${this.spawnError.message}` : ''}). ` +
            `Its last output:\n` +
            this.recentLines.join('\n'),
        );
      }
      try {
        await fetch(this.url, { signal: AbortSignal.timeout(1_000) });
        return;
      } catch {
        // Not listening yet; the next round checks the process again.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `${this.name} did not respond on ${this.url} within ${timeoutMs} ms. ` +
        `Its last output:\n${this.recentLines.join('\n')}`,
    );
  }
}
