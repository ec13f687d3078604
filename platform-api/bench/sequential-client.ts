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

const [secondsText, apikey, ...urls] = process.argv.slice(2);
if (!secondsText || !apikey || urls.length === 0) throw new Error('usage: sequential-client.ts <seconds> <apikey> <url> [<url> …]');
const agents = urls.map(() => new Agent({ connections: 1, pipelining: 1 }));

async function once(index: number): Promise<number> {
  const url = urls[index]!;
  const t0 = performance.now();
  const response = await request(url, { dispatcher: agents[index]!, headers: { apikey: apikey!, authorization: `Bearer ${apikey!}` } });
  await response.body.dump();
  if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
  return performance.now() - t0;
}

const warmUntil = performance.now() + 500;
while (performance.now() < warmUntil) for (let i = 0; i < urls.length; i += 1) await once(i);
const latencies: number[][] = urls.map(() => []);
const until = performance.now() + Number(secondsText) * 1000;
for (let turn = 0; performance.now() < until; turn += 1) {
  // the order flips every turn: neither target always follows the other
  for (let k = 0; k < urls.length; k += 1) {
    const i = turn % 2 === 0 ? k : urls.length - 1 - k;
    latencies[i]!.push(await once(i));
  }
}
const summary = latencies.map((values) => {
  values.sort((a, b) => a - b);
  const at = (q: number): number => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), count: values.length };
});
process.stdout.write(`${JSON.stringify(summary)}\n`);
await Promise.all(agents.map((agent) => agent.close()));
