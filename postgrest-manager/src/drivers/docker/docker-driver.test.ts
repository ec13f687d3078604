import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import type { DataApiSettings } from '../../domain/data-api-settings.ts';
import { settingsHash } from '../../domain/data-api-settings.ts';
import { testLogger } from '../../testing/test-platform.ts';
import { pollUntil } from '../../timers.ts';
import { CONTAINER_LABELS, containerName } from './container-spec.ts';
import { DockerDriver } from './docker-driver.ts';

/** Undefined when an engine answers; otherwise why these tests cannot run here. */
async function engineUnavailable(): Promise<string | undefined> {
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('the Docker engine did not answer within 2 s'), 2_000).unref());
  const ping = new Docker().ping().then(
    () => undefined,
    (error: Error) => `no Docker engine is reachable (${error.message})`,
  );
  return Promise.race([ping, timeout]);
}

const unavailable = await engineUnavailable();
if (unavailable) console.warn(`postgrest-manager: DockerDriver tests against a real engine skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('DockerDriver against a real engine', () => {
  const docker = new Docker();
  const network = process.env.DOCKER_TEST_NETWORK ?? 'bridge';
  const projectId = `t${Math.random().toString(16).slice(2, 10)}`;
  const settings: DataApiSettings = {
    projectId,
    // nothing listens there: the data API serves /live, never /ready
    dbUri: 'postgres://nobody:nothing@192.0.2.1:5432/none',
    dbListenUri: 'postgres://nobody:nothing@192.0.2.1:5432/none',
    jwtSecret: 'a-test-secret-of-at-least-thirty-two-chars',
    dbSchemas: 'public',
    anonRole: 'anon',
    dbPool: 1,
    logLevel: 'info',
  };
  const driver = new DockerDriver({
    docker,
    logger: testLogger(),
    container: { image: process.env.DOCKER_TEST_IMAGE, network, memoryMb: 128 },
    stopTimeoutSeconds: 2,
    watchIntervalMs: 200,
  });

  afterAll(async () => {
    const left = await docker.listContainers({ all: true, filters: { label: [`${CONTAINER_LABELS.project}=${projectId}`] } });
    for (const info of left) await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
  });

  it('starts a labelled container, finds it again, and removes it on stop', async () => {
    const instance = await driver.start(settings);
    expect(instance.containerId).toMatch(/^[0-9a-f]{64}$/);
    const info = await docker.getContainer(instance.containerId!).inspect();
    expect(info.Name).toBe(`/${containerName(projectId)}`);
    expect(info.Config.Labels).toMatchObject({ 'launchdb.project': projectId, 'launchdb.managed': 'true', 'launchdb.settings-hash': settingsHash(settings) });
    expect(await pollUntil(() => instance.probe('live', 1_000), 20_000, 250)).toBe(true);

    const found = (await driver.discover()).filter((one) => one.projectId === projectId);
    expect(found).toHaveLength(1);
    expect(found[0]!.settingsHash).toBe(settingsHash(settings));
    const adopted = await driver.adopt(found[0]!, settings);
    expect(adopted?.containerId).toBe(instance.containerId);
    adopted!.release();

    await instance.stop();
    expect(await instance.exited).toBe('was stopped');
    await expect(docker.getContainer(instance.containerId!).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 120_000);

  it('notices a container that dies, and discards orphans', async () => {
    const instance = await driver.start(settings);
    await docker.getContainer(instance.containerId!).kill();
    expect(await instance.exited).toMatch(/exited with code|was removed/);
    const found = (await driver.discover()).filter((one) => one.projectId === projectId);
    for (const one of found) await driver.discard(one);
    expect((await driver.discover()).filter((one) => one.projectId === projectId)).toEqual([]);
  }, 120_000);
});
