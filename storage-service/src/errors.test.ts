import { describe, expect, it } from 'vitest';
import { StorageErrors, renderStorageError, toStorageError } from './errors.ts';

describe('Storage errors', () => {
  it("renders Supabase Storage's body, with HTTP 400 for client errors as Supabase answers them", () => {
    expect(renderStorageError(StorageErrors.noSuchKey())).toEqual({
      status: 400,
      headers: { 'x-sb-error-code': 'NoSuchKey' },
      body: { statusCode: '404', code: 'NoSuchKey', error: 'not_found', message: 'Object not found' },
    });
    expect(renderStorageError(StorageErrors.internal()).status).toBe(500);
  });

  it('answers for the platform in front of Storage with the real status', () => {
    expect(renderStorageError(StorageErrors.projectNotFound('abc')).status).toBe(404);
    const unavailable = renderStorageError(StorageErrors.projectUnavailable('abc', 'provisioning'));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('2');
  });

  it('maps PostgreSQL errors as Supabase does, and hides everything else', () => {
    expect(toStorageError({ code: '42501', message: 'new row violates row-level security policy for table "objects"' }).message).toBe(
      'new row violates row-level security policy',
    );
    expect(toStorageError({ code: '23505', message: 'duplicate key' }).status).toBe(409);
    expect(toStorageError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }).status).toBe(503);
    const hidden = toStorageError(new Error('password=hunter2 in some driver message'));
    expect(hidden).toMatchObject({ status: 500, message: 'Internal Server Error' });
  });
});
