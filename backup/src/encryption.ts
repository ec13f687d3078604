import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import * as openpgp from 'openpgp';
import { BackupErrors } from './errors.ts';

/**
 * Packets Debian's gpg 2.2 reads: v4 keys, SEIPD v1 (CFB + MDC) and never AEAD, AES-256, no
 * compression (a custom-format dump is compressed already).
 */
const WRITE_CONFIG = {
  aeadProtect: false,
  v6Keys: false,
  preferredSymmetricAlgorithm: openpgp.enums.symmetric.aes256,
  preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed,
} as const;

/**
 * openpgp.js holds back a non-AEAD message's plaintext until its MDC has been checked at the end,
 * that is, the whole message in memory. Released as it is decrypted instead, a tampered message
 * still fails — as a stream error at its end — and every consumer stages what it writes (a scratch
 * database, a temporary folder) and checks the piece's SHA-256 before anything is replaced.
 */
const READ_CONFIG = { allowUnauthenticatedStream: true } as const;

export interface EncryptionDescription {
  method: 'public-key' | 'passphrase';
  /** Of the key backups are encrypted to. */
  fingerprint?: string;
}

export interface KeyFiles {
  publicKeyFile?: string | undefined;
  privateKeyFile?: string | undefined;
  passphrase?: string | undefined;
  /** Where a key pair is generated when neither a public key nor a passphrase is set. */
  generatedKeyFolder?: string | undefined;
}

export interface GeneratedKey {
  privateKeyFile: string;
  publicKeyFile: string;
  /** True on the run that generated it; false while a generated private key is still where it was written. */
  createdNow: boolean;
}

/**
 * How backups are encrypted (to an operator's public key, or with a passphrase) and, where the
 * means are here, decrypted.
 */
export class BackupEncryption {
  readonly #publicKey: openpgp.PublicKey | undefined;
  readonly #privateKey: openpgp.PrivateKey | undefined;
  readonly #passphrase: string | undefined;
  /** Set when a key pair was generated into the data folder: `launchdb up` says where it is. */
  readonly generated: GeneratedKey | undefined;

  private constructor(parts: { publicKey?: openpgp.PublicKey; privateKey?: openpgp.PrivateKey; passphrase?: string; generated?: GeneratedKey }) {
    this.#publicKey = parts.publicKey;
    this.#privateKey = parts.privateKey;
    this.#passphrase = parts.passphrase;
    this.generated = parts.generated;
  }

  static withPassphrase(passphrase: string): BackupEncryption {
    return new BackupEncryption({ passphrase });
  }

  static async fromArmored(publicKey: string, privateKey?: string): Promise<BackupEncryption> {
    return new BackupEncryption({
      publicKey: await readPublicKey(publicKey, 'the public key'),
      ...(privateKey ? { privateKey: await readPrivateKey(privateKey, 'the private key') } : {}),
    });
  }

  /**
   * BACKUP_PUBLIC_KEY_FILE, else BACKUP_PASSPHRASE, else a key pair generated once into
   * `generatedKeyFolder` (its private key must then be moved off the machine).
   */
  static async load(files: KeyFiles): Promise<BackupEncryption> {
    const privateKey = files.privateKeyFile ? await readPrivateKey(await readKeyFile(files.privateKeyFile), files.privateKeyFile) : undefined;
    if (files.publicKeyFile) {
      const publicKey = await readPublicKey(await readKeyFile(files.publicKeyFile), files.publicKeyFile);
      return new BackupEncryption({ publicKey, ...(privateKey ? { privateKey } : {}), ...(files.passphrase ? { passphrase: files.passphrase } : {}) });
    }
    if (files.passphrase) return new BackupEncryption({ passphrase: files.passphrase, ...(privateKey ? { privateKey } : {}) });
    if (!files.generatedKeyFolder) throw BackupErrors.validation('set BACKUP_PUBLIC_KEY_FILE or BACKUP_PASSPHRASE');
    const generated = await generatedKeyPair(files.generatedKeyFolder);
    const publicKey = await readPublicKey(await readFile(generated.publicKeyFile, 'utf8'), generated.publicKeyFile);
    const localPrivate = generated.privateKeyPresent
      ? await readPrivateKey(await readFile(generated.privateKeyFile, 'utf8'), generated.privateKeyFile)
      : undefined;
    const decryptWith = privateKey ?? localPrivate;
    return new BackupEncryption({
      publicKey,
      ...(decryptWith ? { privateKey: decryptWith } : {}),
      ...(generated.privateKeyPresent ? { generated: { privateKeyFile: generated.privateKeyFile, publicKeyFile: generated.publicKeyFile, createdNow: generated.createdNow } } : {}),
    });
  }

  describe(): EncryptionDescription {
    return this.#publicKey ? { method: 'public-key', fingerprint: this.#publicKey.getFingerprint().toUpperCase() } : { method: 'passphrase' };
  }

  get canDecrypt(): boolean {
    return this.#privateKey !== undefined || this.#passphrase !== undefined;
  }

  /** The ciphertext of `input`, produced as `input` is read. */
  async encrypt(input: Readable): Promise<Readable> {
    const message = await openpgp.createMessage({ binary: Readable.toWeb(input) as unknown as ReadableStream<Uint8Array> });
    const encrypted = await openpgp.encrypt({
      message,
      format: 'binary',
      ...(this.#publicKey ? { encryptionKeys: this.#publicKey } : { passwords: [this.#passphrase!] }),
      config: WRITE_CONFIG,
    });
    return Readable.fromWeb(encrypted as unknown as WebReadableStream<Uint8Array>);
  }

  /**
   * The plaintext of `input`, produced as `input` is read. A wrong key or passphrase rejects here;
   * a truncated or modified message errors the returned stream (at its end at the latest).
   */
  async decrypt(input: Readable, label: { backup: string; piece: string }): Promise<Readable> {
    if (!this.canDecrypt) throw BackupErrors.noDecryptionKey();
    let message: openpgp.Message<ReadableStream<Uint8Array>>;
    try {
      message = await openpgp.readMessage({ binaryMessage: Readable.toWeb(input) as unknown as ReadableStream<Uint8Array> });
    } catch (error) {
      throw BackupErrors.decryptionFailed(label.backup, label.piece, `not an OpenPGP message (${(error as Error).message})`);
    }
    try {
      const { data } = await openpgp.decrypt({
        message,
        format: 'binary',
        ...(this.#privateKey ? { decryptionKeys: this.#privateKey } : {}),
        ...(this.#passphrase ? { passwords: [this.#passphrase] } : {}),
        config: READ_CONFIG,
      });
      return Readable.fromWeb(data as unknown as WebReadableStream<Uint8Array>);
    } catch (error) {
      throw BackupErrors.decryptionFailed(label.backup, label.piece, `wrong key or passphrase (${(error as Error).message})`);
    }
  }
}

/** Generates a v4 curve25519 key pair (read by gpg 2.2), unprotected so gpg imports it without a prompt. */
export async function generateBackupKeyPair(name = 'LaunchDB backups'): Promise<{ publicKey: string; privateKey: string }> {
  const { publicKey, privateKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name }],
    format: 'armored',
    config: WRITE_CONFIG,
  });
  return { publicKey, privateKey };
}

async function generatedKeyPair(folder: string): Promise<{ publicKeyFile: string; privateKeyFile: string; privateKeyPresent: boolean; createdNow: boolean }> {
  const publicKeyFile = join(folder, 'backup-public.asc');
  const privateKeyFile = join(folder, 'backup-private.asc');
  const existing = await readFile(publicKeyFile, 'utf8').catch(() => undefined);
  if (existing) {
    const privateKeyPresent = await readFile(privateKeyFile, 'utf8').then(() => true, () => false);
    return { publicKeyFile, privateKeyFile, privateKeyPresent, createdNow: false };
  }
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
  const pair = await generateBackupKeyPair();
  // the private key first: a crash in between leaves no public key whose private half is lost
  await writeAtomically(privateKeyFile, pair.privateKey, 0o600);
  await writeAtomically(publicKeyFile, pair.publicKey, 0o644);
  return { publicKeyFile, privateKeyFile, privateKeyPresent: true, createdNow: true };
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, text, { mode });
  await rename(temporary, path);
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw BackupErrors.keyInvalid(path, (error as Error).message);
  }
}

async function readPublicKey(armored: string, what: string): Promise<openpgp.PublicKey> {
  try {
    const key = await openpgp.readKey({ armoredKey: armored });
    return key.toPublic();
  } catch (error) {
    throw BackupErrors.keyInvalid(what, (error as Error).message);
  }
}

async function readPrivateKey(armored: string, what: string): Promise<openpgp.PrivateKey> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch (error) {
    throw BackupErrors.keyInvalid(what, (error as Error).message);
  }
  if (!key.isDecrypted()) throw BackupErrors.keyInvalid(what, 'it is protected by a passphrase; export it without one (gpg --export-secret-keys after removing the passphrase)');
  return key;
}
