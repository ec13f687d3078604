import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { launchdbConfigSchema } from './config.ts';

describe('launchdb settings', () => {
  it('documents every setting `launchdb up` reads in .env.example', async () => {
    const example = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((match) => match[1]));
    expect(Object.keys(launchdbConfigSchema.shape).filter((name) => !documented.has(name))).toEqual([]);
  });

  it('starts from .env.example as it is: every default in it parses', async () => {
    const example = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const values = Object.fromEntries([...example.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].filter((match) => match[2] !== '').map((match) => [match[1]!, match[2]!]));
    expect(launchdbConfigSchema.safeParse(values).error?.issues ?? []).toEqual([]);
  });
});
