import { describe, expect, it } from 'vitest';
import { parseColumns, parseEmbedPathOfKey } from './parse-field.ts';
import { pgrstError } from './test-helpers.ts';

describe('parseColumns', () => {
  it('reads names, quoted names and spaces around commas', () => {
    expect(parseColumns('a,b', 'columns')).toEqual(['a', 'b']);
    expect(parseColumns('a , "b,c", first-name', 'on_conflict')).toEqual(['a', 'b,c', 'first-name']);
  });
  it('fails with the parameter name', () => {
    const e = pgrstError(() => parseColumns('', 'columns'));
    expect(e.message).toBe('"failed to parse columns parameter ()" (line 1, column 1)');
    expect(pgrstError(() => parseColumns('a,', 'on_conflict')).message).toMatch(/^"failed to parse on_conflict parameter \(a,\)"/);
    expect(pgrstError(() => parseColumns('!', 'columns')).code).toBe('PGRST100');
    // PostgREST 12 stops where the column names end
    expect(parseColumns('a b!', 'columns')).toEqual(['a b']);
  });
});

describe('parseEmbedPathOfKey', () => {
  it('drops the last word', () => {
    expect(parseEmbedPathOfKey('limit')).toBe('');
    expect(parseEmbedPathOfKey('clients.limit')).toBe('clients');
    expect(parseEmbedPathOfKey('clients.projects.order')).toBe('clients.projects');
  });
});
