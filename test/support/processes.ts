import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(__dirname, '..', '..');

/** A Node process running one of the TypeScript files under test/fixtures. */
export class FixtureProcess {
  readonly lines: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();

  constructor(readonly child: ChildProcess) {
    const output = createInterface({ input: child.stdout! });
    output.on('line', (line) => {
      this.lines.push(line);
      this.listeners.forEach((listener) => listener(line));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the first output line (old or new) that matches. */
  waitForLine(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const existing = this.lines.find((line) => pattern.test(line));
    if (existing) {
      return Promise.resolve(existing);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(
          new Error(
            `Timed out after ${timeoutMs} ms waiting for ${pattern} from ` +
              `pid ${this.pid}; last lines:\n${this.lines.slice(-10).join('\n')}`,
          ),
        );
      }, timeoutMs);
      const listener = (line: string): void => {
        if (pattern.test(line)) {
          clearTimeout(timer);
          this.listeners.delete(listener);
          resolve(line);
        }
      };
      this.listeners.add(listener);
    });
  }

  /**
   * Sends a signal and waits for the exit; a process still alive after
   * `graceMs` is killed with SIGKILL.
   */
  async kill(
    signal: NodeJS.Signals = 'SIGKILL',
    graceMs = 15_000,
  ): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Waits for the process to exit on its own and returns its code. */
  async exited(timeoutMs = 30_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return this.child.exitCode;
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const [code] = (await once(this.child, 'exit')) as [number | null];
    clearTimeout(timer);
    return code;
  }
}

/** Starts `test/fixtures/<name>.ts` with the given environment. */
export function startFixture(
  name: string,
  env: Record<string, string>,
): FixtureProcess {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(root, 'test', 'fixtures', `${name}.ts`)],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new FixtureProcess(child);
}
