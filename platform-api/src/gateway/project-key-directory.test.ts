import { describe, expect, it } from 'vitest';
import { ProjectKeyDirectory, type ProjectKeyRecord } from './project-key-directory.ts';

/** The directory's cache alone; the query behind it runs against a real database in gateway.test.ts. */
describe('ProjectKeyDirectory', () => {
  function directory(records: Map<string, ProjectKeyRecord | Error>) {
    let now = 0;
    const loads: string[] = [];
    const keys = new ProjectKeyDirectory(
      async (projectId) => {
        loads.push(projectId);
        const record = records.get(projectId);
        if (record instanceof Error) throw record;
        return record;
      },
      { ttlMs: 5_000, now: () => now },
    );
    return { keys, loads, advance: (ms: number) => (now += ms) };
  }
  const active: ProjectKeyRecord = { status: 'active', keys: { anon: 'anon-key', service_role: 'service-key' } };

  it('accepts exactly the live keys, and reads a project once per TTL however many ask', async () => {
    const { keys, loads, advance } = directory(new Map([['p1', active]]));
    const [first, second] = await Promise.all([keys.lookup('p1'), keys.lookup('p1')]);
    expect(first).toBe(second);
    if (first.state !== 'active') throw new Error('expected active');
    expect([first.accepts('anon-key'), first.accepts('service-key'), first.accepts('anon-ke'), first.accepts('anon-keyx'), first.accepts('')]).toEqual([true, true, false, false, false]);
    advance(4_999);
    await keys.lookup('p1');
    expect(loads).toEqual(['p1']);
    advance(1);
    await keys.lookup('p1');
    expect(loads).toEqual(['p1', 'p1']);
    keys.forget('p1');
    await keys.lookup('p1');
    expect(loads).toHaveLength(3);
  });

  it('trusts "missing" and "provisioning" for a second only, and does not remember a failed read', async () => {
    const records = new Map<string, ProjectKeyRecord | Error>([
      ['p2', { status: 'provisioning', keys: { anon: undefined, service_role: undefined } }],
      ['p3', new Error('connection refused')],
    ]);
    const { keys, loads, advance } = directory(records);
    expect(await keys.lookup('p2')).toEqual({ state: 'provisioning' });
    expect(await keys.lookup('nope')).toEqual({ state: 'missing' });
    records.set('p2', active);
    advance(1_000);
    expect((await keys.lookup('p2')).state).toBe('active');
    await keys.lookup('nope');
    await expect(keys.lookup('p3')).rejects.toThrow('connection refused');
    records.set('p3', active);
    expect((await keys.lookup('p3')).state).toBe('active');
    expect(loads).toEqual(['p2', 'nope', 'p2', 'nope', 'p3', 'p3']);
  });
});
