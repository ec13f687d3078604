import { open, stat, truncate, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

export interface LogFileTailOptions {
  /** Called with each complete line, after `redact`. */
  onLine: (line: string) => void;
  redact?: (line: string) => string;
  /** How many of the last lines `lines()` returns. */
  keep?: number;
  /** The file is emptied once it holds this much and has been read: the lines live on in the logger. */
  maxBytes?: number;
  intervalMs?: number;
}

const READ_CHUNK = 1024 * 1024;

/**
 * Follows a log file a data API writes its stdout and stderr into. A file rather than a pipe:
 * a process writing into a pipe whose reader has gone fails (EPIPE) when the manager stops,
 * whereas a file outlives the manager, so a new manager adopts the process and reads on.
 */
export class LogFileTail {
  readonly #path: string;
  readonly #onLine: (line: string) => void;
  readonly #redact: (line: string) => string;
  readonly #keep: number;
  readonly #maxBytes: number;
  readonly #intervalMs: number;
  readonly #decoder = new StringDecoder('utf8');
  readonly #lines: string[] = [];
  #partial = '';
  #offset = 0;
  #handle: FileHandle | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<void> | undefined;
  #stopped = false;
  #detached = false;

  constructor(path: string, options: LogFileTailOptions) {
    this.#path = path;
    this.#onLine = options.onLine;
    this.#redact = options.redact ?? ((line) => line);
    this.#keep = options.keep ?? 50;
    this.#maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
    this.#intervalMs = options.intervalMs ?? 250;
  }

  /** `fromEnd`: skip what is already there (an adopted process's earlier lines were read by its first manager). */
  async start(fromEnd: boolean): Promise<void> {
    if (fromEnd) this.#offset = await stat(this.#path).then((info) => info.size, () => 0);
    this.#timer = setInterval(() => void this.poll(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Reads what was appended since the last call. */
  poll(): Promise<void> {
    this.#reading ??= this.#read().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  lines(): string[] {
    return [...this.#lines];
  }

  /** Reads the last lines (also an unterminated one) and stops following. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.poll();
    this.#partial += this.#decoder.end();
    if (this.#partial !== '') this.#emit(this.#partial);
    this.#partial = '';
    await this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
  }

  /** Stops following without reading further, for a process another manager takes over. */
  detach(): void {
    this.#stopped = true;
    this.#detached = true;
    clearInterval(this.#timer);
    void this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
  }

  async #read(): Promise<void> {
    if (this.#detached) return;
    try {
      this.#handle ??= await open(this.#path, 'r');
      if (this.#detached) {
        await this.#handle.close();
        this.#handle = undefined;
        return;
      }
      const { size } = await this.#handle.stat();
      if (size < this.#offset) this.#offset = 0;
      while (size > this.#offset) {
        const length = Math.min(size - this.#offset, READ_CHUNK);
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await this.#handle.read(buffer, 0, length, this.#offset);
        if (bytesRead === 0) break;
        this.#offset += bytesRead;
        this.#consume(this.#decoder.write(buffer.subarray(0, bytesRead)));
      }
      // the process appends (O_APPEND), so after truncation its next line lands at the start
      if (size >= this.#maxBytes && this.#offset >= size) {
        await truncate(this.#path, 0);
        this.#offset = 0;
      }
    } catch {
      // the output is best effort: a file removed or a handle closed under us only ends the lines
    }
  }

  #consume(text: string): void {
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const part of parts) if (part !== '') this.#emit(part);
  }

  #emit(raw: string): void {
    const line = this.#redact(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    this.#lines.push(line);
    if (this.#lines.length > this.#keep) this.#lines.shift();
    this.#onLine(line);
  }
}
