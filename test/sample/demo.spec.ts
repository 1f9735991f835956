import { spawn } from 'node:child_process';
import { MongoClient } from 'mongodb';
import { REPOSITORY_ROOT } from '../../sample/demo/service-process';
import { testMongoUrl, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describe('npm run demo', () => {
  const databases = {
    BROKER_DATABASE: uniqueName('csb_demo_events'),
    PURCHASE_DATABASE: uniqueName('csb_demo_purchases'),
    CLASSROOM_DATABASE: uniqueName('csb_demo_classroom'),
  };

  afterAll(async () => {
    const client = await MongoClient.connect(testMongoUrl());
    try {
      for (const name of Object.values(databases)) {
        await client.db(name).dropDatabase();
      }
    } finally {
      await client.close();
    }
  });

  it('runs the flow with --exit', async () => {
    const demo = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'sample/demo/run-demo.ts', '--exit'],
      {
        cwd: REPOSITORY_ROOT,
        env: { ...process.env, MONGO_URL: testMongoUrl(), ...databases },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

    try {
      await waitFor(() => demo.exitCode !== null || demo.signalCode !== null, {
        timeoutMs: 100_000,
        intervalMs: 200,
        description: 'the demo to exit',
      });
    } finally {
      demo.kill('SIGKILL');
    }

    const demoLines = output
      .split('\n')
      .filter((line) => line.startsWith('[demo]'));
    expect({ exitCode: demo.exitCode, demoLines }).toEqual({
      exitCode: 0,
      demoLines: expect.arrayContaining([
        expect.stringMatching(/^\[demo\] purchase-service listens on http/),
        expect.stringMatching(/^\[demo\] classroom-service listens on http/),
        expect.stringMatching(/^\[demo\] Enrollment created: \{/),
        '[demo] Demo finished',
      ]),
    });
    expect(output).toContain('Left the consumer group');
  }, 120_000);
});
