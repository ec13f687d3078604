import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../timers.ts';
import { fleetTestbed, getNotes, NOTES, processGone } from '../testing/test-fleet.ts';

describe('DataApiFleet: a new manager on the same state folder', () => {
  const testbed = fleetTestbed({ cleanEachTest: false });

  it('adopts live data APIs with current settings, replaces stale ones, removes orphans', async () => {
    const [kept, rotated, deleted] = [await testbed.platform.createProject(), await testbed.platform.createProject(), await testbed.platform.createProject()];
    const stateDir = await testbed.fleets.stateDir();
    const first = await testbed.fleets.fleet(stateDir);
    await Promise.all([kept, rotated, deleted].map((project) => first.spawn(project.id)));
    const pid = (projectId: string) => first.current(projectId)!.pid!;
    const before = { kept: pid(kept.id), rotated: pid(rotated.id), deleted: pid(deleted.id) };
    first.release();
    // released, not stopped
    for (const one of Object.values(before)) expect(await processGone(one, 100)).toBe(false);

    await rotated.rotateJwtSecret();
    await deleted.setStatus('deleting');

    const second = await testbed.fleets.fleet(stateDir);
    expect(second.current(kept.id)).toMatchObject({ state: 'running', pid: before.kept, restarts: 0 });
    expect(await getNotes(second.current(kept.id)!.url!, await kept.token())).toEqual({ status: 200, body: NOTES });
    // the orphan is gone and not listed; the stale one was stopped and is started afresh
    expect(await processGone(before.deleted, 1_000)).toBe(true);
    expect(second.current(deleted.id)).toBeUndefined();
    expect(await processGone(before.rotated, 1_000)).toBe(true);
    await second.whenBooted();
    const fresh = second.current(rotated.id)!;
    expect(fresh.state).toBe('running');
    expect(fresh.pid).not.toBe(before.rotated);
    expect((await getNotes(fresh.url!, await rotated.token())).status).toBe(200);

    // the adopted process is not our child: its death is noticed by polling, and it comes back
    process.kill(before.kept, 'SIGKILL');
    expect(await pollUntil(() => second.current(kept.id)!.state !== 'running', 2_000, 10)).toBe(true);
    expect(await pollUntil(() => second.current(kept.id)!.state === 'running', 5_000, 25)).toBe(true);
    expect(second.current(kept.id)!.pid).not.toBe(before.kept);
    expect(second.current(kept.id)!.restarts).toBe(1);

    const pids = second.list().map((status) => status.pid!);
    await second.close();
    for (const one of pids) expect(await processGone(one, 500)).toBe(true);
    expect((await readdir(stateDir)).filter((name) => name.endsWith('.json'))).toEqual([]);
  });

  it('forgets records of processes that are gone or are not data APIs', async () => {
    const project = await testbed.platform.createProject();
    const stateDir = await testbed.fleets.stateDir();
    const first = await testbed.fleets.fleet(stateDir, { idleSeconds: 30 });
    await first.spawn(project.id);
    const { pid } = first.current(project.id)!;
    first.release();
    process.kill(pid!, 'SIGKILL');
    expect(await processGone(pid!)).toBe(true);

    const second = await testbed.fleets.fleet(stateDir, { idleSeconds: 30 });
    expect(second.current(project.id)).toMatchObject({ state: 'sleeping', pid: null });
    expect((await readdir(stateDir)).filter((name) => name.endsWith('.json'))).toEqual([]);
  });
});
