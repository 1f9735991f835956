import {
  ChildProcess,
  spawn,
  SpawnOptions,
  StdioOptions,
} from 'node:child_process';

/** Workers die at once on Ctrl+C; servers are stopped by their cleanup. */
export type ChildRole = 'worker' | 'server';

const liveChildren = new Map<ChildProcess, ChildRole>();
const cleanups = new Set<() => Promise<void>>();
const exitKills = new Set<() => void>();
let handlersInstalled = false;
let interrupted = false;

/** Whether Ctrl+C or SIGTERM arrived, so no further work should start. */
export function isInterrupted(): boolean {
  return interrupted;
}

/** Spawns a process that is killed when the runner exits for any reason. */
export function spawnTracked(
  role: ChildRole,
  command: string,
  args: string[],
  options: SpawnOptions & { stdio: StdioOptions },
): ChildProcess {
  const child = spawn(command, args, options);
  liveChildren.set(child, role);
  child.once('exit', () => liveChildren.delete(child));
  child.once('error', () => liveChildren.delete(child));
  return child;
}

/**
 * Registers an asynchronous stop (a server shutdown) to run on Ctrl+C or
 * SIGTERM. Returns a function that unregisters it.
 */
export function onInterrupt(stop: () => Promise<void>): () => void {
  cleanups.add(stop);
  return () => cleanups.delete(stop);
}

/**
 * Registers a synchronous kill for a process spawned elsewhere (such as
 * the SecantusDB server), run when the runner exits. Returns a function
 * that unregisters it.
 */
export function onExit(kill: () => void): () => void {
  exitKills.add(kill);
  return () => exitKills.delete(kill);
}

async function runCleanups(): Promise<void> {
  const pending = [...cleanups].map((stop) =>
    stop().catch((error: unknown) => {
      console.error('Cleanup failed:', error);
    }),
  );
  cleanups.clear();
  await Promise.race([
    Promise.all(pending),
    new Promise((resolve) => setTimeout(resolve, 10_000)),
  ]);
}

/**
 * Makes sure that no spawned process outlives the runner: on exit every
 * tracked child gets SIGKILL, and on SIGINT or SIGTERM the registered stops
 * run first (servers shut down cleanly and remove their data).
 */
export function installExitHandlers(): void {
  if (handlersInstalled) {
    return;
  }
  handlersInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren.keys()) {
      child.kill('SIGKILL');
    }
    for (const kill of exitKills) {
      kill();
    }
  });
  const signals: Array<[NodeJS.Signals, number]> = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ];
  for (const [signal, code] of signals) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\nReceived ${signal}: stopping workers and servers.`);
      for (const [child, role] of liveChildren) {
        if (role === 'worker') {
          child.kill('SIGKILL');
        }
      }
      void runCleanups().finally(() => process.exit(code));
    });
  }
}
