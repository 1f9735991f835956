import {
  SecantusdServer,
  SecantusdServerOptions,
} from '../../scripts/database/secantusd-server';
import { secantusdBinary } from './test-database';

/**
 * `describe` for tests that kill, pause or reconfigure their own database
 * server. They need the SecantusDB binary (the default here and in CI);
 * against MONGO_URL or a container they are skipped, and the skip is
 * announced on stderr so nobody mistakes it for a pass.
 */
export function describeWithOwnServer(name: string, body: () => void): void {
  if (secantusdBinary()) {
    describe(name, body);
    return;
  }
  const reason = process.env.MONGO_URL
    ? 'MONGO_URL is set, so the tests use that server and start none'
    : 'no SecantusDB binary was found (run ' +
      '`bash scripts/install-secantusdb.sh`)';
  process.stderr.write(
    `SKIPPED "${name}": it needs a SecantusDB server the tests start ` +
      `themselves, and ${reason}.\n`,
  );
  describe.skip(name, body);
}

/** Starts a SecantusDB server of its own for one test file. */
export async function startOwnServer(
  options: Omit<SecantusdServerOptions, 'binary'> = {},
): Promise<SecantusdServer> {
  const binary = secantusdBinary();
  if (!binary) {
    throw new Error('No SecantusDB binary; use describeWithOwnServer.');
  }
  const server = new SecantusdServer({ ...options, binary });
  await server.start();
  return server;
}
