import { maskConnectionString } from '../../lib';
import { findFreePort } from '../../scripts/database/free-port';
import {
  resolveDatabase,
  type ResolvedDatabase,
} from '../../scripts/database/resolve-database';
import { runPurchaseFlow, type ServiceUrls } from './purchase-flow';
import { SERVICE_ENTRIES, ServiceProcess } from './service-process';

/**
 * Runs the two sample services against a MongoDB replica set and walks
 * through a course purchase until classroom-service enrolls the student.
 *
 *   npm run demo             keeps the services running until Ctrl+C
 *   npm run demo -- --exit   stops after the flow (exit code 1 on failure)
 *
 * The database comes from MONGO_URL, or else testcontainers, a SecantusDB
 * server in .venv, or mongodb-memory-server. BROKER_DATABASE,
 * PURCHASE_DATABASE and CLASSROOM_DATABASE are passed to the services.
 */

/** Grace period before services that ignore SIGTERM are killed, in ms. */
const STOP_GRACE_MS = 10_000;

const exitAfterFlow = process.argv.includes('--exit');
const services: ServiceProcess[] = [];
let database: ResolvedDatabase | undefined;
let cleaning: Promise<void> | undefined;

function print(line: string): void {
  process.stdout.write(`[demo] ${line}\n`);
}

/** Stops the services first, so they leave their groups, then the database. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all(services.map((service) => service.stop(STOP_GRACE_MS)));
    await database?.stop();
  })();
  return cleaning;
}

function printCurlExamples(urls: ServiceUrls, studentId: string): void {
  const json = "-H 'content-type: application/json'";
  print('The services keep running. Try, then press Ctrl+C to stop:');
  print(
    `  curl -s -X POST ${urls.purchase}/purchases ${json} -d ` +
      `'{"customerId":"${studentId}","productId":"course-2",` +
      `"productType":"course","amount":19.9}'`,
  );
  print(
    `  curl -s -X PATCH ${urls.purchase}/purchases/<purchaseId>/status ` +
      `${json} -d '{"status":"completed"}'`,
  );
  print(`  curl -s ${urls.purchase}/purchases/customer/${studentId}`);
  print(`  curl -s ${urls.classroom}/enrollments/student/${studentId}`);
}

async function startServices(url: string): Promise<ServiceUrls> {
  const output = (line: string) => process.stdout.write(`${line}\n`);
  // purchase-service starts first, so it creates the purchases topic
  // before classroom-service subscribes to it.
  const purchase = await ServiceProcess.start({
    name: 'purchase-service',
    entry: SERVICE_ENTRIES.purchase,
    port: await findFreePort(),
    env: { MONGO_URL: url },
    output,
  });
  services.push(purchase);
  print(`purchase-service listens on ${purchase.url}`);

  const classroom = await ServiceProcess.start({
    name: 'classroom-service',
    entry: SERVICE_ENTRIES.classroom,
    port: await findFreePort(),
    env: { MONGO_URL: url },
    output,
  });
  services.push(classroom);
  print(`classroom-service listens on ${classroom.url}`);

  return { purchase: purchase.url, classroom: classroom.url };
}

async function main(): Promise<void> {
  let flowFinished = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (cleaning) {
      print(`${signal} received again; exiting without waiting`);
      process.exit(130);
    }
    print(`${signal} received; stopping the services`);
    void cleanUp().finally(() => process.exit(flowFinished ? 0 : 130));
  };
  // The handlers stay installed: a library that also listens for these
  // signals (signal-exit, loaded by testcontainers) kills the process as
  // soon as it is the only listener left.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  database = await resolveDatabase({ log: print });
  if (database.source === 'MONGO_URL') {
    print(`database: MONGO_URL ${maskConnectionString(database.url)}`);
  }
  const urls = await startServices(database.url);

  const result = await runPurchaseFlow(urls, { log: print });
  flowFinished = true;
  print(`Enrollment created: ${JSON.stringify(result.enrollment)}`);

  if (exitAfterFlow) {
    await cleanUp();
    print('Demo finished');
    return;
  }
  printCurlExamples(urls, result.studentId);
}

main().catch(async (error: unknown) => {
  print(`Demo failed: ${(error as Error).stack ?? String(error)}`);
  await cleanUp();
  process.exit(1);
});
