/**
 * The measured process of `npm run bench:backup`: one backup or one verify, as the backup service
 * runs them, in a process of its own so that its RSS is the backup's alone. Prints
 * `{"ms": …, "id": …}` on stdout.
 *
 *   node --import tsx backup/bench/backup-worker.ts backup|verify <admin URL> <backups folder> <public key> <private key> [<backup id>]
 */
import { readFile } from 'node:fs/promises';
import { createLogger } from '@launchdb/common/logger';
import { BackupEngine } from '../src/backup-engine.ts';
import { BackupEncryption } from '../src/encryption.ts';
import { LocalBackupStore } from '../src/local-backup-store.ts';

const [operation, adminUrl, folder, publicKeyFile, privateKeyFile, id] = process.argv.slice(2);
const engine = new BackupEngine({
  adminUrl: adminUrl!,
  store: new LocalBackupStore(folder!),
  encryption: await BackupEncryption.fromArmored(await readFile(publicKeyFile!, 'utf8'), await readFile(privateKeyFile!, 'utf8')),
  logger: createLogger({ level: 'silent', name: 'bench' }),
  diskReserveBytes: 0,
});
const started = performance.now();
const result = operation === 'backup' ? { id: (await engine.backupProject(process.env.BENCH_PROJECT!)).id } : await engine.verify(id!);
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, ...result })}\n`);
