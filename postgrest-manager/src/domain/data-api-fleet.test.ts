import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../timers.ts';
import { fleetTestbed, getNotes, NOTES, processGone } from '../testing/test-fleet.ts';

describe('DataApiFleet on the process driver', () => {
  const testbed = fleetTestbed({ cleanEachTest: true });

  it('spawns a data API that serves the project with its JWT secret, lists it, and stops it leaving no process', async () => {
    const project = await testbed.platform.createProject();
    const stateDir = await testbed.fleets.stateDir();
    const fleet = await testbed.fleets.fleet(stateDir);

    await fleet.spawn(project.id);
    const status = fleet.current(project.id)!;
    expect(status).toMatchObject({ projectId: project.id, driver: 'process', state: 'running', restarts: 0, containerId: null });
    expect(status.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(status.pid).toBeGreaterThan(0);

    expect(await getNotes(status.url!, await project.token())).toEqual({ status: 200, body: NOTES });
    expect(await getNotes(status.url!)).toEqual({ status: 200, body: NOTES });
    expect((await getNotes(status.url!, await project.token('authenticated', 'a-secret-of-another-project-entirely'))).status).toBe(401);

    // idempotent
    await fleet.spawn(project.id);
    expect(fleet.current(project.id)!.pid).toBe(status.pid);
    expect(fleet.list().map((one) => one.projectId)).toEqual([project.id]);
    const details = await fleet.status(project.id);
    expect(details).toMatchObject({ state: 'running', pid: status.pid });
    expect(Array.isArray(details!.recentLogs)).toBe(true);

    // the child's environment is only what it needs
    const environ = readFileSync(`/proc/${status.pid}/environ`, 'utf8').split('\0').filter(Boolean);
    expect(environ.map((pair) => pair.split('=')[0]).sort()).toEqual(
      ['PATH', 'PGRST_ADMIN_SERVER_PORT', 'PGRST_DB_ANON_ROLE', 'PGRST_DB_LISTEN_URI', 'PGRST_DB_POOL', 'PGRST_DB_SCHEMAS', 'PGRST_DB_URI', 'PGRST_JWT_SECRET', 'PGRST_LOG_LEVEL', 'PGRST_SERVER_HOST', 'PGRST_SERVER_PORT'].sort(),
    );
    // its state file holds no secret
    const files = await readdir(stateDir);
    const record = readFileSync(`${stateDir}/${files.find((name) => name.endsWith('.json'))}`, 'utf8');
    expect(record).not.toContain(project.jwtSecret);
    expect(record).toContain(String(status.pid));

    await fleet.stop(project.id);
    expect(await processGone(status.pid!, 1_000)).toBe(true);
    expect(fleet.list()).toEqual([]);
    expect((await readdir(stateDir)).filter((name) => name.endsWith('.json'))).toEqual([]);
    expect(existsSync(`${stateDir}/logs`)).toBe(true);
    expect(await readdir(`${stateDir}/logs`)).toEqual([]);
    // stopping again does nothing
    await fleet.stop(project.id);
  });

  it('refuses an unknown project, and wake says so', async () => {
    const fleet = await testbed.fleets.fleet(await testbed.fleets.stateDir());
    await expect(fleet.spawn('tnosuchproject')).rejects.toMatchObject({ code: 'project_not_found', status: 404 });
    expect(await fleet.wake('tnosuchproject')).toEqual({ state: 'unknown' });
    expect(await fleet.locate('tnosuchproject')).toEqual({ state: 'unknown' });
    expect(await fleet.status('tnosuchproject')).toBeUndefined();
    expect(fleet.list()).toEqual([]);
  });

  it('brings a data API back within 5 s of kill -9, and wake meanwhile answers unavailable at once', async () => {
    const project = await testbed.platform.createProject();
    // a first retry later than the default 200 ms: on a busy machine the checks below must still
    // find it waiting to restart, not already starting again
    const fleet = await testbed.fleets.fleet(await testbed.fleets.stateDir(), { restartBackoff: { initialMs: 1_000 } });
    await fleet.spawn(project.id);
    const before = fleet.current(project.id)!;

    const killedAt = Date.now();
    process.kill(before.pid!, 'SIGKILL');
    expect(await pollUntil(() => fleet.current(project.id)!.state !== 'running', 1_000, 5)).toBe(true);

    const asked = Date.now();
    const meanwhile = await fleet.wake(project.id);
    expect(Date.now() - asked).toBeLessThan(500);
    expect(meanwhile).toMatchObject({ state: 'unavailable', retryAfterSeconds: 1 });
    expect(fleet.current(project.id)).toMatchObject({ state: 'restarting', restarts: 1 });
    expect(fleet.current(project.id)!.lastError).toContain('SIGKILL');
    expect(await fleet.locate(project.id)).toMatchObject({ state: 'unavailable' });

    // a gateway retrying: every answer comes quickly, until the data API is back
    let back: { state: string; url?: string } = meanwhile;
    while (back.state !== 'running') {
      const started = Date.now();
      back = await fleet.wake(project.id);
      expect(Date.now() - started).toBeLessThan(2_000);
      if (back.state !== 'running') await new Promise((resolve) => setTimeout(resolve, 50));
      expect(Date.now() - killedAt).toBeLessThan(5_000);
    }
    const after = fleet.current(project.id)!;
    expect(after.pid).not.toBe(before.pid);
    expect(after).toMatchObject({ state: 'running', restarts: 1, lastError: expect.stringContaining('SIGKILL') });
    expect(await getNotes(back.url!, await project.token())).toEqual({ status: 200, body: NOTES });
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(await processGone(before.pid!)).toBe(true);
  });

  it('replaces a data API that stops answering its health checks', async () => {
    const project = await testbed.platform.createProject();
    const fleet = await testbed.fleets.fleet(await testbed.fleets.stateDir(), { healthIntervalMs: 200, unhealthyAfter: 2 }, 500);
    await fleet.spawn(project.id);
    const before = fleet.current(project.id)!;
    // frozen, not dead: only the health checks can tell
    process.kill(before.pid!, 'SIGSTOP');
    expect(await pollUntil(() => fleet.current(project.id)!.restarts === 1, 3_000, 20)).toBe(true);
    expect(fleet.current(project.id)!.lastError).toContain('did not answer 2 health checks');
    expect(await pollUntil(() => fleet.current(project.id)!.state === 'running', 5_000, 20)).toBe(true);
    const after = fleet.current(project.id)!;
    expect(after.pid).not.toBe(before.pid);
    expect(await getNotes(after.url!)).toEqual({ status: 200, body: NOTES });
    // SIGTERM cannot reach a stopped process; SIGKILL after the stop timeout does
    expect(await processGone(before.pid!, 4_000)).toBe(true);
  });

  it('closes leaving no process behind', async () => {
    const [one, two] = [await testbed.platform.createProject(), await testbed.platform.createProject()];
    const fleet = await testbed.fleets.fleet(await testbed.fleets.stateDir());
    await Promise.all([fleet.spawn(one.id), fleet.spawn(two.id)]);
    const pids = fleet.list().map((status) => status.pid!);
    expect(pids).toHaveLength(2);
    await fleet.close();
    for (const pid of pids) expect(await processGone(pid, 500)).toBe(true);
    await expect(fleet.spawn(one.id)).rejects.toMatchObject({ code: 'shutting_down' });
    expect(await fleet.wake(one.id)).toMatchObject({ state: 'unavailable' });
  });
});
