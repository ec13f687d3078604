/**
 * Object names and bucket ids as Supabase Storage accepts them, tightened where a name could
 * mean something else on a disk. Every backend stores `<project>/<bucket>/<key>`; the fs backend
 * maps each `/`-separated segment of a key to a folder, so the rules below are what keeps a key
 * inside its bucket's folder (see object-key.test.ts for the property test that tries).
 */

export type KeyCheck = { ok: true; key: string } | { ok: false; reason: string };

/** Supabase's limit (S3's): 1024 bytes of UTF-8. */
export const MAX_OBJECT_KEY_BYTES = 1024;
/** A file or folder name on ext4/xfs/btrfs; larger segments could never be written by the fs backend. */
export const MAX_KEY_SEGMENT_BYTES = 255;
/** Supabase's limit for bucket ids (S3 bucket naming rules). */
export const MAX_BUCKET_ID_LENGTH = 63;

/*
 * Supabase's S3-safe set (`\w / ! - . * ' ( ) space & $ @ = ; : + , ?`) plus letters, digits and
 * combining marks of any script, which newer Supabase versions accept ("ÖÄÜ.jpg", "望舌诊病.pdf").
 * Deliberately outside it: `#`, `%`, `~`, `\`, quotes, brackets, control and format characters —
 * the fs backend relies on `#` never appearing in a key to name its own files.
 */
const OBJECT_KEY_CHARACTERS = /^[\p{L}\p{N}\p{M}_/!\-.*'() &$@=;:+,?]+$/u;
const BUCKET_ID_CHARACTERS = /^[\p{L}\p{N}\p{M}_!\-.*'() &$@=;:+,?]+$/u;
// eslint-disable-next-line no-control-regex -- naming them is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Checks an object name (`folder/file.png`). Rejected: empty names and empty segments (a leading
 * or trailing `/` or `//` — storage-js strips them before sending, so only hand-made requests
 * carry them, and on a disk `a//b` and `a/b` would be the same file), `.` and `..` segments, NUL
 * and control characters, characters outside Supabase's set, more than 1024 bytes, a segment of
 * more than 255 bytes.
 */
export function validateObjectKey(name: string): KeyCheck {
  if (typeof name !== 'string' || name.length === 0) return { ok: false, reason: 'the object name is empty' };
  if (name.includes('\u0000')) return { ok: false, reason: 'the object name contains a NUL character' };
  if (CONTROL_CHARACTERS.test(name)) return { ok: false, reason: 'the object name contains a control character' };
  if (Buffer.byteLength(name, 'utf8') > MAX_OBJECT_KEY_BYTES) {
    return { ok: false, reason: `the object name is longer than ${MAX_OBJECT_KEY_BYTES} bytes` };
  }
  if (name.startsWith('/')) return { ok: false, reason: 'the object name must not start with /' };
  if (!OBJECT_KEY_CHARACTERS.test(name)) return { ok: false, reason: 'the object name contains a character that is not allowed' };
  for (const segment of name.split('/')) {
    if (segment === '') return { ok: false, reason: 'the object name contains an empty folder name' };
    if (segment === '.' || segment === '..') return { ok: false, reason: 'the object name contains a . or .. segment' };
    if (Buffer.byteLength(segment, 'utf8') > MAX_KEY_SEGMENT_BYTES) {
      return { ok: false, reason: `a folder or file name is longer than ${MAX_KEY_SEGMENT_BYTES} bytes` };
    }
  }
  return { ok: true, key: name };
}

/** Checks a bucket id (it is also the bucket's folder name): Supabase's characters, no `/`, 1–63 characters, not `.` or `..`. */
export function validateBucketId(id: string): KeyCheck {
  if (typeof id !== 'string' || id.length === 0) return { ok: false, reason: 'the bucket id is empty' };
  if (CONTROL_CHARACTERS.test(id)) return { ok: false, reason: 'the bucket id contains a control character' };
  if (id.length > MAX_BUCKET_ID_LENGTH) return { ok: false, reason: `the bucket id is longer than ${MAX_BUCKET_ID_LENGTH} characters` };
  if (!BUCKET_ID_CHARACTERS.test(id)) return { ok: false, reason: 'the bucket id contains a character that is not allowed' };
  if (id === '.' || id === '..') return { ok: false, reason: 'the bucket id must not be . or ..' };
  return { ok: true, key: id };
}
