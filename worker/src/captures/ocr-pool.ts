import { createRequire } from 'node:module';
import { createScheduler, createWorker, OEM, type Scheduler } from 'tesseract.js';

const require = createRequire(import.meta.url);

/** The English data shipped in @tesseract.js-data/eng: nothing is downloaded at run time. */
export function englishLangPath(): string {
  return (require('@tesseract.js-data/eng') as { langPath: string }).langPath;
}

export interface OcrText {
  text: string;
  /** Tesseract's mean word confidence, 0..100. */
  confidence: number;
}

/**
 * Tesseract in a pool of worker threads (tesseract.js runs each worker as a thread), started on
 * the first image: OCR never blocks the event loop, and at most `threads` images are read at once
 * while the other jobs (text, copies) go on.
 */
export class OcrPool {
  readonly #threads: number;
  #scheduler: Promise<Scheduler> | undefined;

  constructor(threads: number) {
    this.#threads = threads;
  }

  get threads(): number {
    return this.#threads;
  }

  async recognize(image: Buffer): Promise<OcrText> {
    const scheduler = await this.#start();
    // rotateAuto: a photo taken a few degrees askew is straightened before reading
    const { data } = await scheduler.addJob('recognize', image, { rotateAuto: true });
    return { text: data.text, confidence: data.confidence };
  }

  async close(): Promise<void> {
    const starting = this.#scheduler;
    this.#scheduler = undefined;
    if (starting) await (await starting.catch(() => undefined))?.terminate();
  }

  #start(): Promise<Scheduler> {
    if (!this.#scheduler) {
      this.#scheduler = (async () => {
        const scheduler = createScheduler();
        const langPath = englishLangPath();
        const workers = await Promise.all(
          Array.from({ length: this.#threads }, () => createWorker('eng', OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' })),
        );
        for (const worker of workers) scheduler.addWorker(worker);
        return scheduler;
      })();
      this.#scheduler.catch(() => (this.#scheduler = undefined));
    }
    return this.#scheduler;
  }
}
