import { MongoClient } from 'mongodb';

const SCRATCH_DATABASE = 'csb_bench_warm_up';

/**
 * Writes single documents to a scratch collection for `seconds` and drops
 * it. A fresh SecantusDB server accepts single inserts two to three times
 * as fast in its first seconds as later on, whatever the collection.
 * Without this, the first peer measured (the raw driver) would get a
 * server the others never see. Returns the inserts per second of the
 * last second.
 */
export async function warmUpServer(
  url: string,
  seconds: number,
): Promise<number> {
  const client = new MongoClient(url);
  try {
    const collection = client.db(SCRATCH_DATABASE).collection('warm-up');
    const end = performance.now() + seconds * 1000;
    let lastSecond = 0;
    while (performance.now() < end) {
      const secondEnd = Math.min(end, performance.now() + 1000);
      lastSecond = 0;
      while (performance.now() < secondEnd) {
        await collection.insertOne({ data: 'x'.repeat(100) });
        lastSecond += 1;
      }
    }
    await client.db(SCRATCH_DATABASE).dropDatabase();
    return lastSecond;
  } finally {
    await client.close();
  }
}
