/**
 * `npm run bench:auth`: the auth service over a real provisioned project in a throwaway
 * PostgreSQL 15, measured on what the auth issue promises. A benchmark, not a test: it prints
 * each figure next to the baseline measured in the same run, and PASS/FAIL against the targets.
 *
 *   1. password sign-ins per second, p50/p99, against bare argon2id verify (same parameters, same
 *      process): one at a time, and at saturation               (target: the service adds ≤ 10 %)
 *   2. refresh-token grants per second, p50/p99                         (target ≥ 1,000/s)
 *   3. the cost of verifying an access token (HS256, jose), per request, as a gateway would
 *   4. MFA step-ups per second: POST /factors/:id/challenge then /verify with a TOTP code, each
 *      on a user signed in at aal1 with a factor enrolled (a code is good once: one per user)
 *   5. OpenID Connect callbacks per second: GET /callback with a code from a real OpenID provider
 *      (oidc-provider, in this process) — the code exchanged at the provider, its ID token
 *      checked against the provider's keys, the identity's user signed in. The codes are fetched
 *      first (a code is good once); only the callbacks are timed.
 *
 *   BENCH_SECONDS (per phase, default 8), BENCH_CONCURRENCY (bare verifies at once, default 4:
 *   libuv's threads; the service gets twice as many clients), BENCH_REFRESH_CONCURRENCY (default
 *   32), BENCH_POOL (connections to the project database, default 10)
 */
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { Secret, TOTP } from 'otpauth';
import { Pool as HttpPool } from 'undici';
import {
  applyMigrations,
  createLogger,
  createPool,
  generateMasterKey,
  parseMasterKey,
  ProjectDirectory,
  readLiveApiKeys,
  readMigrations,
  readProjectSecret,
  ProjectSecret,
  SecretBox,
  withClient,
  withDatabase,
} from '@launchdb/common';
import { writeProjectAuthSettings } from '@launchdb/common/auth-settings';
import { NO_SIGNING_KEYS } from '@launchdb/common/signing-keys';
import { smoke } from '@launchdb/testkit/bench-smoke';
import { startThrowawayPostgres } from '@launchdb/testkit/throwaway-postgres';
import { DirectProjectPooler } from '../../platform-api/src/domain/projects/direct-project-pooler.ts';
import { ProjectProvisioner } from '../../platform-api/src/domain/projects/project-provisioner.ts';
import { PLATFORM_MIGRATIONS_FOLDER } from '../../platform-api/src/setup/platform-database.ts';
import { buildAuthApp } from '../src/app.ts';
import { defaultAuthServiceSettings } from '../src/config.ts';
import { verifyAccessToken } from '../src/domain/access-tokens.ts';
import { ARGON2ID_PARAMETERS } from '../src/domain/passwords.ts';
import { startOpenIdProvider } from '../src/testing/openid-provider.ts';
import { browse } from '../src/testing/redirects.ts';

// BENCH_SMOKE=1: every phase for a blink, a handful of users (figures meaningless)
const seconds = Number(process.env['BENCH_SECONDS'] ?? smoke(8, 0.3));
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? smoke(4, 2));
const refreshConcurrency = Number(process.env['BENCH_REFRESH_CONCURRENCY'] ?? smoke(32, 4));
const WARM_UP_MS = smoke(500, 50);
const mfaUsers = Number(process.env['BENCH_MFA_USERS'] ?? smoke(240, 4));
const oidcCallbacks = Number(process.env['BENCH_OIDC_CALLBACKS'] ?? smoke(240, 4));
/** Accounts at the provider the callbacks sign in, in turn (each signed up once before the timing). */
const OIDC_ACCOUNTS = 16;
const POOL_MAX = Number(process.env['BENCH_POOL'] ?? 10);
const TARGETS = { signInOverhead: 0.1, refreshPerSecond: 1000 } as const;
const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

interface Figures {
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `work` from `workers` loops at once for `durationMs` (after a short warm-up); latencies in ms. */
async function load(workers: number, durationMs: number, work: (worker: number) => Promise<void>): Promise<Figures> {
  const warmUntil = performance.now() + WARM_UP_MS;
  await Promise.all(Array.from({ length: workers }, async (_, worker) => {
    while (performance.now() < warmUntil) await work(worker);
  }));
  const latencies: number[] = [];
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const until = started + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await work(worker);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  log(`  (this process: ${((cpu.user + cpu.system) / 1000 / latencies.length).toFixed(2)} ms CPU per operation, ${(((cpu.user + cpu.system) / 1e6 / elapsed) * 100).toFixed(0)} % of one core)`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { count: latencies.length, perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}

/** The round with the median throughput: this VM's speed drifts from second to second. */
const median = (rounds: Figures[]): Figures => [...rounds].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(rounds.length / 2)]!;

const fmt = (figures: Figures) => `${figures.perSecond.toFixed(1)}/s, p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms (${figures.count} done)`;

async function main(): Promise<void> {
  log('starting a throwaway PostgreSQL 15');
  const postgres = await startThrowawayPostgres('launchdb-bench-auth');
  const server = new URL(postgres.url);
  const platformUrl = withDatabase(postgres.url, 'launchdb_bench_platform');
  await withClient(postgres.url, (admin) => admin.query('create database launchdb_bench_platform'));
  await withClient(platformUrl, async (admin) =>
    applyMigrations(admin, await readMigrations(PLATFORM_MIGRATIONS_FOLDER), { schema: 'platform', table: 'schema_migrations' }),
  );
  const platformDb = createPool({ connectionString: platformUrl, applicationName: 'auth-bench', max: 4 });
  const secrets = new SecretBox(parseMasterKey(generateMasterKey()));
  const logger = createLogger({ level: 'warn', name: 'auth-bench' });
  const provisioner = new ProjectProvisioner({
    db: platformDb,
    adminUrl: platformUrl,
    secrets,
    pooler: new DirectProjectPooler({ host: server.hostname, port: Number(server.port) }),
    dataApis: { spawn: async () => undefined, stop: async () => undefined, reload: async () => undefined },
    logger,
  });
  const projectId = 'authbench';
  const publicUrl = 'http://127.0.0.1';
  await provisioner.create({ id: projectId, name: 'auth bench' });
  const oidcClient = { client_id: 'authbench', client_secret: 'authbench-client-secret' };
  // codes are all fetched before the timed callbacks: on a loaded machine that outlasts a minute
  const idp = await startOpenIdProvider(oidcClient, [`${publicUrl}/auth/${projectId}/callback`], { codeLifetimeSeconds: 600 });
  await writeProjectAuthSettings(platformDb, secrets, projectId, {
    settings: {
      rate_limits: { token_per_ip: 0, signup_per_ip: 0, per_email: 0, verify_per_ip: 0, mfa_per_ip: 0 },
      site_url: 'http://app.example/',
      external_providers: { benchidp: { issuer: idp.issuer, client_id: oidcClient.client_id } },
    },
    oauth_client_secrets: { benchidp: oidcClient.client_secret },
  });
  const keys = await readLiveApiKeys(platformDb, secrets, projectId);
  const jwtSecret = (await readProjectSecret(platformDb, secrets, projectId, ProjectSecret.jwtSecret))!;

  const projects = new ProjectDirectory({
    platformDb,
    secrets,
    pooler: { host: server.hostname, port: Number(server.port) },
    applicationName: 'auth-bench',
    poolMax: POOL_MAX,
  });
  const app = await buildAuthApp({
    projects,
    platformDb,
    secrets,
    publicUrl,
    settings: defaultAuthServiceSettings(),
    logger,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address !== 'object') throw new Error('no address');
  const origin = `http://127.0.0.1:${address.port}`;
  const http = new HttpPool(origin, { connections: Math.max(concurrency * 2, refreshConcurrency) });
  const headers = { apikey: keys.anon!, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown, extra: Record<string, string> = {}) => {
    const response = await http.request({ method: 'POST', path: `/auth/${projectId}${path}`, headers: { ...headers, ...extra }, body: JSON.stringify(body) });
    const json = (await response.body.json()) as Record<string, unknown>;
    if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${JSON.stringify(json)}`);
    return json;
  };

  const users = Array.from({ length: Math.max(concurrency * 2, refreshConcurrency) }, (_, i) => ({ email: `bench${i}@example.com`, password: `bench password ${i}` }));
  log(`creating ${users.length} users`);
  for (const user of users) {
    await post('/admin/users', { ...user, email_confirm: true }, { authorization: `Bearer ${keys.service_role!}` });
  }

  const hashes = await Promise.all(users.map((user) => hash(user.password, ARGON2ID_PARAMETERS)));
  const bareVerify = async (worker: number) => {
    if (!(await verify(hashes[worker]!, users[worker]!.password))) throw new Error('verify failed');
  };
  const signIn = async (worker: number) => {
    await post('/token?grant_type=password', users[worker]);
  };
  // one at a time: what one sign-in costs beyond its argon2 verify, nothing queued
  log('one at a time: bare argon2id verify, then a sign-in through the service, alternating rounds');
  const bareSingle: Figures[] = [];
  const signInSingle: Figures[] = [];
  for (let round = 0; round < 3; round += 1) {
    bareSingle.push(await load(1, (seconds * 1000) / 3, bareVerify));
    signInSingle.push(await load(1, (seconds * 1000) / 3, signIn));
  }
  const bare1 = median(bareSingle);
  const signIn1 = median(signInSingle);
  log(`  bare ${fmt(bare1)}; service ${fmt(signIn1)}`);
  // saturated: the machine's capacity, argon2 on every libuv thread
  log(`saturated: bare argon2id verify ${concurrency} at once (libuv's threads), the service with ${concurrency * 2} clients`);
  const bare = await load(concurrency, seconds * 1000, bareVerify);
  const signIns = await load(concurrency * 2, seconds * 1000, signIn);
  log(`  bare ${fmt(bare)}; service ${fmt(signIns)}`);

  log(`refresh-token grants, ${refreshConcurrency} sessions refreshing at once`);
  const tokens = await Promise.all(users.slice(0, refreshConcurrency).map(async (user) => (await post('/token?grant_type=password', user))['refresh_token'] as string));
  const refreshes = await load(refreshConcurrency, seconds * 1000, async (worker) => {
    const session = await post('/token?grant_type=refresh_token', { refresh_token: tokens[worker] });
    tokens[worker] = session['refresh_token'] as string;
  });
  log(`  ${fmt(refreshes)}`);

  log('access token verification (HS256, jose), as a gateway does per request');
  const session = await post('/token?grant_type=password', users[0]);
  const accessToken = session['access_token'] as string;
  const rounds = smoke(20_000, 500);
  for (let i = 0; i < rounds / 10; i += 1) await verifyAccessToken(accessToken, { jwtSecret, signingKeys: NO_SIGNING_KEYS });
  const t0 = performance.now();
  for (let i = 0; i < rounds; i += 1) {
    const verified = await verifyAccessToken(accessToken, { jwtSecret, signingKeys: NO_SIGNING_KEYS });
    if (!verified.ok) throw new Error('token did not verify');
  }
  const verifyMicros = ((performance.now() - t0) * 1000) / rounds;
  log(`  ${verifyMicros.toFixed(1)} µs per verification`);

  log(`MFA step-ups: ${mfaUsers} users signed in at aal1, each with a TOTP factor enrolled`);
  // an imported hash: the users cost no argon2 hash each, only their sign-in's verify
  const sharedHash = await hash('mfa bench password', ARGON2ID_PARAMETERS);
  const stepUps: Array<{ token: string; factorId: string; secret: string }> = [];
  const mfaIndexes = Array.from({ length: mfaUsers }, (_, i) => i);
  await Promise.all(
    Array.from({ length: concurrency * 2 }, async () => {
      for (let i = mfaIndexes.shift(); i !== undefined; i = mfaIndexes.shift()) {
        const email = `mfa${i}@example.com`;
        await post('/admin/users', { email, password_hash: sharedHash, email_confirm: true }, { authorization: `Bearer ${keys.service_role!}` });
        const signedIn = await post('/token?grant_type=password', { email, password: 'mfa bench password' });
        const token = signedIn['access_token'] as string;
        const factor = await post('/factors', { factor_type: 'totp' }, { authorization: `Bearer ${token}` });
        stepUps.push({ token, factorId: factor['id'] as string, secret: (factor['totp'] as { secret: string }).secret });
      }
    }),
  );
  const mfaLatencies: number[] = [];
  const mfaStarted = performance.now();
  await Promise.all(
    Array.from({ length: concurrency * 2 }, async () => {
      for (let next = stepUps.pop(); next !== undefined; next = stepUps.pop()) {
        const t0 = performance.now();
        const auth = { authorization: `Bearer ${next.token}` };
        const challenge = await post(`/factors/${next.factorId}/challenge`, {}, auth);
        const code = TOTP.generate({ secret: Secret.fromBase32(next.secret) });
        const verified = await post(`/factors/${next.factorId}/verify`, { challenge_id: challenge['id'], code }, auth);
        if (typeof verified['access_token'] !== 'string') throw new Error('no session from verify');
        mfaLatencies.push(performance.now() - t0);
      }
    }),
  );
  const mfaElapsed = (performance.now() - mfaStarted) / 1000;
  mfaLatencies.sort((a, b) => a - b);
  const mfaAt = (q: number) => mfaLatencies[Math.min(mfaLatencies.length - 1, Math.floor(q * mfaLatencies.length))]!;
  const mfa: Figures = { count: mfaLatencies.length, perSecond: mfaLatencies.length / mfaElapsed, p50: mfaAt(0.5), p99: mfaAt(0.99) };
  log(`  ${fmt(mfa)}`);

  log(`OpenID Connect callbacks: ${oidcCallbacks} codes from the provider for ${OIDC_ACCOUNTS} accounts, signed up by a first round`);
  for (let i = 0; i < OIDC_ACCOUNTS; i += 1) idp.accounts.set(`oidc${i}`, { email: `oidc${i}@example.com`, email_verified: true, name: `OIDC user ${i}` });
  /** A browser's way to the callback: our /authorize, the provider's login; the callback's query, not yet followed. */
  const callbackQuery = async (account: number): Promise<string> => {
    idp.loginAs(`oidc${account % OIDC_ACCOUNTS}`);
    const atCallback = await browse(`${origin}/auth/${projectId}/authorize?provider=benchidp`, (url) => url.pathname === `/auth/${projectId}/callback`);
    return atCallback.search;
  };
  const callback = async (query: string) => {
    const response = await http.request({ method: 'GET', path: `/auth/${projectId}/callback${query}` });
    await response.body.dump();
    const location = response.headers['location'];
    if (response.statusCode !== 302 || typeof location !== 'string' || !location.includes('access_token=')) throw new Error(`callback: ${response.statusCode} ${String(location)}`);
  };
  for (let i = 0; i < OIDC_ACCOUNTS; i += 1) await callback(await callbackQuery(i));
  // in rounds: oidc-provider keeps its codes in an LRU of 1,000 entries (about four per sign-in),
  // so codes fetched far ahead are gone before they are exchanged
  const OIDC_ROUND = 60;
  const oidcLatencies: number[] = [];
  let oidcTimedMs = 0;
  for (let done = 0; done < oidcCallbacks; done += OIDC_ROUND) {
    const codes: string[] = [];
    for (let i = done; i < Math.min(oidcCallbacks, done + OIDC_ROUND); i += 1) codes.push(await callbackQuery(i));
    const roundStarted = performance.now();
    await Promise.all(
      Array.from({ length: concurrency * 2 }, async () => {
        for (let next = codes.pop(); next !== undefined; next = codes.pop()) {
          const t0 = performance.now();
          await callback(next);
          oidcLatencies.push(performance.now() - t0);
        }
      }),
    );
    oidcTimedMs += performance.now() - roundStarted;
  }
  const oidcElapsed = oidcTimedMs / 1000;
  oidcLatencies.sort((a, b) => a - b);
  const oidcAt = (q: number) => oidcLatencies[Math.min(oidcLatencies.length - 1, Math.floor(q * oidcLatencies.length))]!;
  const oidc: Figures = { count: oidcLatencies.length, perSecond: oidcLatencies.length / oidcElapsed, p50: oidcAt(0.5), p99: oidcAt(0.99) };
  log(`  ${fmt(oidc)}`);

  const overhead = bare.perSecond / signIns.perSecond - 1;
  const singleOverhead = signIn1.p50 / bare1.p50 - 1;
  const lines = [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}, PostgreSQL 15 (direct), project pool ${POOL_MAX} connections`,
    `argon2id m=${ARGON2ID_PARAMETERS.memoryCost} t=${ARGON2ID_PARAMETERS.timeCost} p=${ARGON2ID_PARAMETERS.parallelism}`,
    `one at a time   bare verify: ${fmt(bare1)}`,
    `                sign-in:     ${fmt(signIn1)}`,
    `                → p50 +${(signIn1.p50 - bare1.p50).toFixed(1)} ms (+${(singleOverhead * 100).toFixed(1)} %) over bare argon2`,
    `saturated       bare verify (${concurrency} at once): ${fmt(bare)}`,
    `                sign-in (${concurrency * 2} clients):   ${fmt(signIns)}`,
    `                → ${(signIns.perSecond / bare.perSecond * 100).toFixed(1)} % of bare throughput: the service adds ${(overhead * 100).toFixed(1)} % per sign-in (target ≤ ${TARGETS.signInOverhead * 100} %): ${overhead <= TARGETS.signInOverhead ? 'PASS' : 'FAIL'}`,
    `refresh grants (${refreshConcurrency} at once):  ${fmt(refreshes)} (target ≥ ${TARGETS.refreshPerSecond}/s): ${refreshes.perSecond >= TARGETS.refreshPerSecond ? 'PASS' : 'FAIL'}`,
    `access token verification (HS256, jose): ${verifyMicros.toFixed(1)} µs per request`,
    `MFA step-ups, challenge + TOTP verify (${concurrency * 2} clients): ${fmt(mfa)}, against ${fmt(refreshes)} refreshes`,
    `OIDC callbacks, code exchange + ID token + sign-in (${concurrency * 2} clients, provider in this process): ${fmt(oidc)}, against ${fmt(refreshes)} refreshes`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  await http.close();
  await app.close();
  await projects.close();
  await platformDb.end();
  await idp.close();
  await postgres.stop();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
