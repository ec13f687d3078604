/**
 * Why a capture could not be read, in a homeowner's words (it is shown in the app). A permanent
 * one (the file is gone, not an image) fails the capture at once; others are retried.
 */
export class CaptureError extends Error {
  readonly permanent: boolean;
  constructor(message: string, options: { permanent?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CaptureError';
    this.permanent = options.permanent ?? false;
  }
}
