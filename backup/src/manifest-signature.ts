import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { BackupErrors } from './errors.ts';
import type { BackupManifest } from './manifest.ts';

/**
 * Manifests signed with HMAC-SHA256 under a key derived from LAUNCHDB_MASTER_KEY (HKDF, a purpose
 * of its own, so the key never meets the secrets AES-GCM encrypts). The pieces' SHA-256s catch
 * corruption; the signature catches a manifest rewritten to match other pieces (another backup
 * encrypted to the same public key) or other row counts. The master key must outlive the server
 * anyway (restore-platform needs it), so whoever restores can check what the server signed; an
 * operator without our tools never needs it.
 */
export class ManifestSigner {
  readonly #key: Buffer;
  /** Names the key (not secret): a manifest signed under another master key says so. */
  readonly keyId: string;

  constructor(masterKey: Buffer) {
    this.#key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'launchdb backup manifest v1', 32));
    this.keyId = createHmac('sha256', this.#key).update('key id').digest('hex').slice(0, 16);
  }

  sign(manifest: BackupManifest): BackupManifest {
    const { signature: _old, ...unsigned } = manifest;
    return { ...unsigned, signature: { method: 'hmac-sha256', keyId: this.keyId, value: this.#mac(unsigned) } };
  }

  /** Throws one line when the manifest is unsigned, signed under another key, or changed since. */
  check(manifest: BackupManifest): void {
    const { signature, ...unsigned } = manifest;
    if (!signature) throw BackupErrors.manifestUnsigned(manifest.id);
    if (signature.keyId !== this.keyId) throw BackupErrors.manifestSignedElsewhere(manifest.id);
    const expected = Buffer.from(this.#mac(unsigned), 'hex');
    const found = Buffer.from(signature.value, 'hex');
    if (found.length !== expected.length || !timingSafeEqual(found, expected)) throw BackupErrors.manifestTampered(manifest.id);
  }

  #mac(unsigned: Omit<BackupManifest, 'signature'>): string {
    return createHmac('sha256', this.#key).update(canonicalJson(unsigned)).digest('hex');
  }
}

/** JSON with every object's keys sorted: the same manifest signs the same, however it was read. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
