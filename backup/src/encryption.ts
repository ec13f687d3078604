import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import * as openpgp from 'openpgp';
import { BackupErrors } from './errors.ts';
import { findTool } from './tools.ts';

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
  readonly #gpg: string | undefined = findTool('gpg');
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
  async decrypt(input: Readable, label: { backup: string; piece: string; bytes?: number }): Promise<Readable> {
    if (!this.canDecrypt) throw BackupErrors.noDecryptionKey();
    if (this.#gpg && useGpg(label.bytes)) return this.#decryptWithGpg(this.#gpg, input, label);
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

  /**
   * gpg in a throwaway home holding only our private key (or given the passphrase on a pipe):
   * the plaintext streams out as it is decrypted; a wrong key, a failed MDC or a truncated message
   * is a non-zero exit, reported as the stream's error once gpg has said which.
   */
  async #decryptWithGpg(gpg: string, input: Readable, label: { backup: string; piece: string }): Promise<Readable> {
    const home = await mkdtemp(join(tmpdir(), 'launchdb-gpg-'));
    // importing a secret key starts a gpg-agent for this home: it goes with it
    const cleanUp = async (): Promise<void> => {
      const gpgconf = findTool('gpgconf');
      if (gpgconf) await run(gpgconf, ['--homedir', home, '--kill', 'all'], '').catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    };
    const args = ['--homedir', home, '--batch', '--quiet', '--no-tty', '--no-permission-warning', '--pinentry-mode', 'loopback'];
    try {
      if (this.#privateKey) {
        await run(gpg, [...args, '--import'], this.#privateKey.armor());
      }
    } catch (error) {
      await cleanUp();
      throw BackupErrors.decryptionFailed(label.backup, label.piece, `gpg cannot import the private key (${(error as Error).message})`);
    }
    const passphrase = this.#passphrase ?? '';
    const child = spawn(gpg, [...args, '--passphrase-fd', '3', '--decrypt'], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const passphraseFd = child.stdio[3] as Writable;
    passphraseFd.on('error', () => undefined);
    passphraseFd.end(`${passphrase}\n`);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-2_000);
    });
    const output = new PassThrough({ highWaterMark: 1 << 20 });
    pipeline(input, child.stdin!).catch(() => undefined);
    child.stdout!.pipe(output, { end: false });
    let ended = false;
    child.stdout!.on('end', () => {
      ended = true;
    });
    child.once('close', (code) => {
      void cleanUp();
      if (code === 0 && ended) output.end();
      else {
        const reason = stderr.trim().split('\n').filter(Boolean).slice(-2).join(' / ') || `gpg exited ${code}`;
        const wrongKey = /no secret key|bad passphrase|bad session key|decryption failed: Bad session key/i.test(stderr);
        output.destroy(BackupErrors.decryptionFailed(label.backup, label.piece, wrongKey ? `wrong key or passphrase (${reason})` : reason));
      }
    });
    child.once('error', (error) => output.destroy(BackupErrors.decryptionFailed(label.backup, label.piece, error.message)));
    output.on('close', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    return output;
  }
}

function run(binary: string, args: string[], stdin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(stderr.trim() || `exit ${code}`))));
    child.stdin!.end(stdin);
  });
}

/**
 * Debian's gpg, when installed, decrypts the big pieces: a process of its own (a few MB, and the
 * second core), where openpgp.js's streams cost the backup process tens of MB. Its start (a
 * throwaway home, a key import, an agent) costs a second, so small pieces stay in-process.
 * LAUNCHDB_BACKUP_GPG=always|never overrides.
 */
const GPG_FROM_BYTES = 64 * 1024 * 1024;

function useGpg(bytes: number | undefined): boolean {
  const mode = process.env.LAUNCHDB_BACKUP_GPG;
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return (bytes ?? 0) >= GPG_FROM_BYTES;
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
