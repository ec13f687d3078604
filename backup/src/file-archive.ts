import { mkdir, stat } from 'node:fs/promises';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';

/** Files a writer is still producing (`#tmp.<uuid>`): not part of any object yet. */
const IN_PROGRESS = /(^|\/)#tmp\./;

/** An archive of one empty folder, `./` (node-tar refuses an archive of nothing but its end blocks). */
export const EMPTY_ARCHIVE = (() => {
  const block = Buffer.alloc(512);
  new tar.Header({ path: './', type: 'Directory', mode: 0o755, size: 0, mtime: new Date(0), uid: 0, gid: 0 }).encode(block, 0);
  return Buffer.concat([block, Buffer.alloc(1024)]);
})();

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
    output.end(EMPTY_ARCHIVE);
    return { output, files: Promise.resolve(0) };
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
