import { expect } from 'vitest';
import { PgrstError } from '../errors.ts';

/** Runs `f`, expecting a PgrstError; returns it for further checks. */
export function pgrstError(f: () => unknown): PgrstError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(PgrstError);
    return error as PgrstError;
  }
  throw new Error('expected a PgrstError, but nothing was thrown');
}
