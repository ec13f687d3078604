import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunningPlatform, type RunningPlatform, type RunningProject } from './testing/running-platform.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The README's ```js block that contains `marker`, exactly as a reader copies it (list indentation removed). */
async function readmeSnippet(marker: string): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^( *)```js\n([\s\S]*?)^\1```/gm)].map(([, indent, body]) =>
    body!.split('\n').map((line) => line.slice(indent!.length)).join('\n'),
  );
  const snippet = blocks.find((block) => block.includes(marker));
  if (!snippet) throw new Error(`README.md has no \`\`\`js block with ${marker}`);
  return snippet;
}

/** Runs an ES module with plain Node (the version running these tests), from inside the repository so its packages resolve. */
async function runModule(source: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cache = join(ROOT, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const folder = await mkdtemp(join(cache, 'readme-snippet-'));
  try {
    await writeFile(join(folder, 'snippet.mjs'), source);
    const child = spawn(process.execPath, [join(folder, 'snippet.mjs')], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    return { code, stdout, stderr };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

describe("the README's supabase-js example", () => {
  let running: RunningPlatform;
  let project: RunningProject;

  beforeAll(async () => {
    running = await startRunningPlatform();
    project = await running.createProject('My house', 'haven');
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
  }, 60_000);

  it('runs as written on this Node version against a Haven project: the user, the row and the file are there afterwards', async () => {
    const snippet = (await readmeSnippet('createClient('))
      .replaceAll('http://localhost:8080/p/<id>', project.urls.supabase)
      .replaceAll('<anon key>', project.keys.anon);
    expect(snippet).not.toMatch(/<id>|<anon key>/);
    // the one thing the snippet leaves to the reader: the file to upload
    const run = await runModule(`const photo = new Blob(['a photo of the boiler'], { type: 'image/jpeg' });\n${snippet}`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const service = { apikey: project.keys.service_role, authorization: `Bearer ${project.keys.service_role}` };
    const users = await fetch(`${project.urls.auth}/admin/users`, { headers: service });
    const me = ((await users.json()) as { users: Array<{ id: string; email: string }> }).users.find((user) => user.email === 'me@example.com');
    expect(me).toBeDefined();
    const rows = await fetch(`${project.urls.rest}/properties?select=name,owner_id`, { headers: service });
    expect(await rows.json()).toEqual([{ name: 'Lake house', owner_id: me!.id }]);
    const download = await fetch(`${project.urls.storage}/object/captures/${me!.id}/boiler.jpg`, { headers: service });
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('a photo of the boiler');
  }, 30_000);

  it('makes a retried insert safe as "Retrying a write safely" says: the repeat of a committed insert adds nothing and answers []', async () => {
    const snippet = await readmeSnippet('ignoreDuplicates');
    // a homeowner signed in, as the README's first example leaves one
    const prelude = `
      import { createClient } from '@supabase/supabase-js';
      import ws from 'ws';
      const supabase = createClient(${JSON.stringify(project.urls.supabase)}, ${JSON.stringify(project.keys.anon)}, { realtime: { transport: ws } });
      const signedUp = await supabase.auth.signUp({ email: 'retry@example.com', password: 'a good password' });
      if (signedUp.error) throw signedUp.error;
    `;
    // the answer to the first attempt was lost after all: the client sends it once more
    const retry = `
      const again = await insert();
      console.log(JSON.stringify({ first: data, again: again.data, againStatus: again.status, error: again.error }));
    `;
    const run = await runModule(`${prelude}\n${snippet}\n${retry}`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const outcome = JSON.parse(run.stdout) as { first: Array<{ id: string; name: string }>; again: unknown[]; againStatus: number; error: unknown };
    expect(outcome.first).toHaveLength(1);
    expect(outcome.first[0]!.name).toBe('Boathouse');
    expect(outcome).toMatchObject({ again: [], againStatus: 201, error: null });

    const service = { apikey: project.keys.service_role, authorization: `Bearer ${project.keys.service_role}` };
    const rows = await fetch(`${project.urls.rest}/properties?name=eq.Boathouse&select=id`, { headers: service });
    expect(await rows.json()).toEqual([{ id: outcome.first[0]!.id }]);
  }, 30_000);
});
