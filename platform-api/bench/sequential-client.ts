/**
 * One connection per target, one request at a time, alternating between the targets request by
 * request, so that each sees the same machine (the two targets' p50s are compared, and this VM's
 * speed drifts by tens of percent from second to second). Prints each target's p50/p90/p99 in ms
 * as JSON. Run as its own process, so the client's work never shares an event loop with the
 * gateway it measures (in the bench process run the platform and its gateway). Each request
 * carries the key as `apikey` and as the bearer token, as supabase-js sends it, so the data API
 * does the same work whichever way the request came.
 *
 *   node sequential-client.ts <seconds> <apikey> <url> [<url> …]
 */
import { Agent, request } from 'undici';
import { alternateSequentially, summariseLatencies } from '@launchdb/testkit/sequential-latencies';

const [secondsText, apikey, ...urls] = process.argv.slice(2);
if (!secondsText || !apikey || urls.length === 0) throw new Error('usage: sequential-client.ts <seconds> <apikey> <url> [<url> …]');
const agents = urls.map(() => new Agent({ connections: 1, pipelining: 1 }));

async function once(index: number): Promise<void> {
  const url = urls[index]!;
  const response = await request(url, { dispatcher: agents[index]!, headers: { apikey: apikey!, authorization: `Bearer ${apikey!}` } });
  await response.body.dump();
  if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
}

const latencies = await alternateSequentially(urls.map((_, index) => () => once(index)), { warmUpMs: 500, seconds: Number(secondsText) });
const summary = latencies.map(summariseLatencies);
process.stdout.write(`${JSON.stringify(summary)}\n`);
await Promise.all(agents.map((agent) => agent.close()));
