import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createLogger, findFreePort } from '@launchdb/common';
import type { DataApiSettings } from '../../domain/data-api-settings.ts';
import { createTestPlatform, testLogger, type TestPlatform, type TestProject } from '../../testing/test-platform.ts';
import { processGone } from '../../testing/test-fleet.ts';
import { ProcessDriver } from './process-driver.ts';

describe('ProcessDriver', () => {
  let platform: TestPlatform;
  let project: TestProject;
  let settings: DataApiSettings;
  let stateDir: string;

  beforeAll(async () => {
    platform = await createTestPlatform();
    project = await platform.createProject();
    settings = (await platform.settings().settingsFor(project.id))!;
    stateDir = await mkdtemp(join(tmpdir(), 'process-driver-test-'));
  });
  afterAll(async () => {
    await platform?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('picks other ports when one is taken before the data API binds it', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const busyPort = (busy.address() as { port: number }).port;
    const handedOut: number[] = [];
    const driver = new ProcessDriver({
      entry: inject('dataApiEntry'),
      stateDir,
      logger: testLogger(),
      findPort: async () => {
        const port = handedOut.length === 0 ? busyPort : await findFreePort();
        handedOut.push(port);
        return port;
      },
    });
    try {
      const instance = await driver.start(settings);
      expect(handedOut.length).toBeGreaterThanOrEqual(4);
      expect(instance.url).not.toContain(`:${busyPort}`);
      expect(await instance.probe('live', 1_000)).toBe(true);
      await instance.stop();
      expect(await processGone(instance.pid)).toBe(true);
      expect(await instance.exited).toMatch(/exited with code 0/);
    } finally {
      busy.close();
    }
  });

  it('reports a data API that exits at start-up, with its output in the logs and no secret anywhere', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'info', name: 'postgrest-manager', destination });
    const driver = new ProcessDriver({ entry: inject('dataApiEntry'), stateDir, logger });
    const password = 'a-database-password-never-to-be-shown';
    const broken = { ...settings, dbUri: `mysql://someone:${password}@127.0.0.1/db` };
    const failure = await driver.start(broken).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/exited with code 1 during start-up: data-api: invalid configuration: db-uri/);
    expect(failure).toContain('[redacted]');
    expect(failure).not.toContain(password);
    const logged = lines.join('');
    expect(logged).toContain('invalid configuration');
    expect(logged).toContain('"project":"' + project.id + '"');
    expect(logged).not.toContain(password);
    expect(logged).not.toContain(settings.jwtSecret);
  });

  it('forwards the data API’s JSON log records with their level', async () => {
    const records: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) records.push(JSON.parse(line));
        done();
      },
    });
    const logger = createLogger({ level: 'info', name: 'postgrest-manager', destination });
    const driver = new ProcessDriver({ entry: inject('dataApiEntry'), stateDir, logger });
    const instance = await driver.start({ ...settings, logLevel: 'info' });
    await instance.stop();
    const listening = records.find((record) => record.msg === 'data API listening');
    expect(listening).toMatchObject({ level: 30, project: project.id, pid: instance.pid, dataApi: { url: instance.url } });
    expect((await instance.recentLogs()).some((line) => line.includes('data API stopped'))).toBe(true);
  });

  it('says how to build the bundle when it is missing', async () => {
    const driver = new ProcessDriver({ entry: join(stateDir, 'no-such-bundle.js'), stateDir, logger: testLogger() });
    await expect(driver.start(settings)).rejects.toThrow(/npm run build -w data-api/);
  });
});
