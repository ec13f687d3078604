import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '@launchdb/common';
import { createFixtureDatabase, type FixtureDatabase } from './fixtures/load-fixture.ts';
import { HOMEOWNER_SUB, JWT_SECRET, signToken } from './conformance/harness.ts';
import { DATA_API_NODE_FLAGS } from '../src/node-flags.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function waitFor(url: string, withinMs: number): Promise<Response> {
  const started = Date.now();
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return response;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > withinMs) throw new Error(`${url} did not answer 200 within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The data API as postgrest-manager spawns it: the bundled `node data-api/dist/main.js` and
 * `launchdb data-api`, configured with a PostgREST config file.
 */
describe('the data API run standalone', () => {
  let database: FixtureDatabase;
  let folder: string;

  beforeAll(async () => {
    database = await createFixtureDatabase('standalone');
    folder = await mkdtemp(join(tmpdir(), 'data-api-standalone-'));
    await promisify(execFile)('npm', ['run', 'build', '-w', 'data-api'], { cwd: root });
    // away from the repository's node_modules: the bundle must need nothing beside itself
    await cp(join(root, 'data-api/dist'), join(folder, 'dist'), { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await database?.drop();
    await rm(folder, { recursive: true, force: true });
  });

  const commands: Array<[string, (configFile: string) => string[]]> = [
    [
      `node ${DATA_API_NODE_FLAGS.join(' ')} data-api/dist/main.js --config <file>, copied where no node_modules is`,
      (file) => [...DATA_API_NODE_FLAGS, join(folder, 'dist/main.js'), '--config', file],
    ],
    ['launchdb data-api --config <file>', (file) => [join(root, 'cli/bin/launchdb.js'), 'data-api', '--config', file]],
  ];

  it.each(commands)('%s serves the API and the admin port, and stops on SIGTERM', async (_name, argv) => {
    const port = await findFreePort();
    const adminPort = await findFreePort();
    const configFile = join(folder, `postgrest-${port}.conf`);
    await writeFile(
      configFile,
      [
        '# PostgREST format',
        `db-uri = "${database.authenticatorUrl}"`,
        'db-schemas = "api, v2"',
        'db-anon-role = "anon"',
        `jwt-secret = "$(TEST_JWT_SECRET)"`,
        'server-host = "127.0.0.1"',
        `server-port = ${port}`,
        `admin-server-port = ${adminPort}`,
        'log-level = "error"',
      ].join('\n'),
    );
    const child: ChildProcess = spawn(process.execPath, argv(configFile), {
      env: { PATH: process.env.PATH ?? '', TEST_JWT_SECRET: JWT_SECRET },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitFor(`http://127.0.0.1:${adminPort}/live`, 20_000);
      await waitFor(`http://127.0.0.1:${adminPort}/ready`, 20_000);
      const response = await fetch(`http://127.0.0.1:${port}/properties?select=name&order=id&limit=1`, {
        headers: { authorization: `Bearer ${signToken({ role: 'authenticated', sub: HOMEOWNER_SUB })}` },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([{ name: 'Maple House' }]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  }, 60_000);
});
