import { randomInt } from 'node:crypto';
import { PROJECT_ID_PATTERN } from '@launchdb/common';

const SUFFIX_LENGTH = 6;
const SLUG_LENGTH = 20;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An id for a project created without one: its name as a short lowercase slug, then a random
 * suffix so that two projects of the same name get different databases ("My Home" → myhomek3x9q2).
 */
export function deriveProjectId(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/^[0-9]+/, '')
    .slice(0, SLUG_LENGTH);
  let suffix = '';
  for (let i = 0; i < SUFFIX_LENGTH; i += 1) suffix += ALPHABET[randomInt(ALPHABET.length)];
  const id = `${slug || 'project'}${suffix}`;
  if (!PROJECT_ID_PATTERN.test(id)) throw new Error(`derived an invalid project id ${id}`);
  return id;
}
