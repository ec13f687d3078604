import { mkdir, stat } from 'node:fs/promises';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';

/** Files a writer is still producing (`#tmp.<uuid>`): not part of any object yet. */
const IN_PROGRESS = /(^|\/)#tmp\./;

export interface FileArchive {
  output: Readable;
  /** Resolves with the number of files once the archive has been read to its end. */
  files: Promise<number>;
}

/** A tar stream of a folder (an empty archive when it does not exist), produced as it is read. */
export async function archiveFolder(folder: string): Promise<FileArchive> {
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  let files = 0;
  const exists = await stat(folder).then((info) => info.isDirectory(), () => false);
  if (!exists) {
    const empty = tar.create({ cwd: '/', portable: true }, []);
    const done = pipeline(empty, output).then(() => 0);
    done.catch(() => undefined);
    return { output, files: done };
  }
  const pack = tar.create(
    {
      cwd: folder,
      portable: true,
      filter: (path, entry) => {
        if (IN_PROGRESS.test(path)) return false;
        if ('isFile' in entry && entry.isFile()) files += 1;
        return true;
      },
    },
    ['.'],
  );
  const done = pipeline(pack, output).then(() => files);
  done.catch(() => undefined);
  return { output, files: done };
}

/** Unpacks a tar stream into a folder (created). Entries cannot leave it (tar's own checks). */
export async function extractInto(archive: Readable, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o755 });
  await pipeline(archive, tar.extract({ cwd: folder, strict: true, preserveOwner: false }));
}

/** Reads a tar stream to its end, counting its files. */
export async function countArchiveFiles(archive: Readable): Promise<number> {
  let files = 0;
  const parser = new tar.Parser({
    strict: true,
    onReadEntry: (entry) => {
      if (entry.type === 'File') files += 1;
      entry.resume();
    },
  });
  await pipeline(archive, parser as unknown as Writable);
  return files;
}
