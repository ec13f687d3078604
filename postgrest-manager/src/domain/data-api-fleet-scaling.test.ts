import { describe, expect, it } from 'vitest';
import { delay, pollUntil } from '../timers.ts';
import { fleetTestbed, getNotes, NOTES, processGone } from '../testing/test-fleet.ts';
import type { DataApiFleet } from './data-api-fleet.ts';

describe('DataApiFleet: scale to zero and reload', () => {
  const testbed = fleetTestbed({ cleanEachTest: true });

  it('refuses an idle time shorter than the gateway’s wake interval allows', async () => {
    await expect(testbed.fleets.fleet(await testbed.fleets.stateDir(), { idleSeconds: 1 })).rejects.toThrow(/at least 2/);
  });

  it('lets active projects sleep at boot, keeps a woken data API running, scales an idle one to zero and wakes it', async () => {
    const project = await testbed.platform.createProject();
    const fleet = await testbed.fleets.fleet(await testbed.fleets.stateDir(), { idleSeconds: 2 });
    expect(fleet.current(project.id)).toMatchObject({ state: 'sleeping', pid: null, url: null });

    // the first request wakes it and waits for it
    const woken = await fleet.wake(project.id);
    expect(woken).toMatchObject({ state: 'running', url: expect.stringMatching(/^http:/) });
    const first = fleet.current(project.id)!;
    expect(first.lastRequestAt).not.toBeNull();
    expect(await getNotes(first.url!)).toEqual({ status: 200, body: NOTES });

    // traffic, as the gateway reports it (a wake per second at most): it stays up past idleSeconds
    for (let i = 0; i < 3; i += 1) {
      await delay(1_000);
      expect(await fleet.wake(project.id)).toEqual({ state: 'running', url: first.url });
    }
    expect(fleet.current(project.id)!.pid).toBe(first.pid);

    // no traffic: it is stopped after about 2 s
    const quietFrom = Date.now();
    expect(await pollUntil(() => fleet.current(project.id)!.state === 'sleeping', 5_000, 50)).toBe(true);
    expect(Date.now() - quietFrom).toBeGreaterThanOrEqual(1_500);
    expect(await processGone(first.pid!, 1_000)).toBe(true);
    expect(fleet.current(project.id)).toMatchObject({ state: 'sleeping', pid: null, url: null, restarts: 0 });

    // the next request starts it again and waits for it
    const wakeStarted = Date.now();
    const again = await fleet.wake(project.id);
    const wakeMs = Date.now() - wakeStarted;
    expect(again.state).toBe('running');
    expect(wakeMs).toBeLessThan(5_000);
    expect(fleet.current(project.id)!.pid).not.toBe(first.pid);
    expect(await getNotes((again as { url: string }).url, await project.token())).toEqual({ status: 200, body: NOTES });
  });

  it('wakes concurrent callers with one start', async () => {
    const project = await testbed.platform.createProject();
    const fleet = await testbed.fleets.fleet(await testbed.fleets.stateDir(), { idleSeconds: 30 });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => fleet.wake(project.id)));
    expect(new Set(outcomes.map((outcome) => JSON.stringify(outcome))).size).toBe(1);
    expect(outcomes[0]!.state).toBe('running');
  });

  it('reloads with a rotated JWT secret without a gap: the new key works, the old one gets 401', async () => {
    const project = await testbed.platform.createProject();
    const fleet = await testbed.fleets.fleet(await testbed.fleets.stateDir());
    await fleet.spawn(project.id);
    const before = fleet.current(project.id)!;
    const oldToken = await project.token();
    expect((await getNotes(before.url!, oldToken)).status).toBe(200);

    // a gateway: asks for the URL at most once a second and sends requests meanwhile
    const failures: string[] = [];
    let requests = 0;
    let running = true;
    const gateway = (async () => {
      let cached: { url: string; at: number } | undefined;
      while (running) {
        if (!cached || Date.now() - cached.at >= 1_000) {
          const located = await fleet.wake(project.id);
          if (located.state !== 'running') {
            failures.push(`wake: ${JSON.stringify(located)}`);
            await delay(20);
            continue;
          }
          cached = { url: located.url, at: Date.now() };
        }
        try {
          const { status } = await getNotes(cached.url);
          if (status !== 200) failures.push(`status ${status}`);
        } catch (error) {
          failures.push(`request: ${(error as Error).message}`);
        }
        requests += 1;
        await delay(5);
      }
    })();

    await delay(200);
    const newSecret = await project.rotateJwtSecret();
    const reloadStarted = Date.now();
    await fleet.reload(project.id);
    const reloadMs = Date.now() - reloadStarted;
    await delay(300);
    running = false;
    await gateway;

    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(20);
    expect(reloadMs).toBeGreaterThanOrEqual(1_500);
    const after = fleet.current(project.id)!;
    expect(after).toMatchObject({ state: 'running', restarts: 0 });
    expect(after.pid).not.toBe(before.pid);
    expect(await processGone(before.pid!, 1_000)).toBe(true);
    expect(await getNotes(after.url!, await project.token('authenticated', newSecret))).toEqual({ status: 200, body: NOTES });
    expect((await getNotes(after.url!, oldToken)).status).toBe(401);

    // nothing changed since: a reload keeps the running one
    await fleet.reload(project.id);
    expect(fleet.current(project.id)!.pid).toBe(after.pid);
  });

  it('reload of a sleeping data API only makes its next start use the new settings', async () => {
    const project = await testbed.platform.createProject();
    const fleet: DataApiFleet = await testbed.fleets.fleet(await testbed.fleets.stateDir(), { idleSeconds: 60 });
    const newSecret = await project.rotateJwtSecret();
    await fleet.reload(project.id);
    expect(fleet.current(project.id)!.state).toBe('sleeping');
    const woken = await fleet.wake(project.id);
    expect(woken.state).toBe('running');
    expect((await getNotes((woken as { url: string }).url, await project.token('authenticated', newSecret))).status).toBe(200);
    await expect(fleet.reload('tnosuchproject')).rejects.toMatchObject({ code: 'project_not_found' });
  });
});
