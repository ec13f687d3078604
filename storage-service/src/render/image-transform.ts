import { PassThrough, type Readable } from 'node:stream';
import sharp, { type Sharp } from 'sharp';

/**
 * Supabase's `/render/image` options. Supabase hands them to imgproxy; we do the same work
 * with sharp (libvips) in process.
 */
export interface TransformOptions {
  width?: number;
  height?: number;
  /** How the image meets a box of width × height: crop to fill it, fit inside it, or stretch. */
  resize: 'cover' | 'contain' | 'fill';
  quality: number;
  /**
   * `origin` keeps the source's format; unset lets the client's Accept header pick WebP, as
   * Supabase (imgproxy's WebP detection) does; `avif` and `webp` force one.
   */
  format?: 'origin' | 'avif' | 'webp';
}

export type TransformOptionsResult = { ok: true; options: TransformOptions } | { ok: false; reason: string };

/** Supabase's limits (IMG_LIMITS_MIN_SIZE / IMG_LIMITS_MAX_SIZE): larger sizes are clamped, not refused. */
export const MIN_DIMENSION = 1;
export const MAX_DIMENSION = 2500;
export const DEFAULT_QUALITY = 80;

const RESIZE_MODES = ['cover', 'contain', 'fill'] as const;
const FORMATS = ['origin', 'avif', 'webp'] as const;

/**
 * Reads the query of `/render/image/…` (or storage-js's `transform` on a download) as Supabase
 * validates it: width/height integers ≥ 0 (0 = not given; above 2500 clamped to 2500), resize
 * cover|contain|fill (default cover), quality 20–100 (default 80), format origin|avif|webp.
 * The failure reasons are worded as Supabase's schema validation words them
 * (`querystring/quality must be >= 20`), for the caller's 400.
 */
export function parseTransformOptions(query: Record<string, unknown>): TransformOptionsResult {
  const width = integerParameter(query, 'width', { min: 0 });
  if (!width.ok) return width;
  const height = integerParameter(query, 'height', { min: 0 });
  if (!height.ok) return height;
  const quality = integerParameter(query, 'quality', { min: 20, max: 100 });
  if (!quality.ok) return quality;
  const resize = enumParameter(query, 'resize', RESIZE_MODES);
  if (!resize.ok) return resize;
  const format = enumParameter(query, 'format', FORMATS);
  if (!format.ok) return format;
  const options: TransformOptions = { resize: resize.value ?? 'cover', quality: quality.value ?? DEFAULT_QUALITY };
  if (width.value) options.width = clamp(width.value);
  if (height.value) options.height = clamp(height.value);
  if (format.value) options.format = format.value;
  return { ok: true, options };
}

/** imgproxy's names of the resize modes, as Supabase hands them over. */
const RESIZING_TYPES = { cover: 'fill', contain: 'fit', fill: 'force' } as const;

/**
 * What Supabase lists in X-Transformations for these options (its imgproxy segments): height,
 * width, resizing type when resized, quality when the query gave one, format unless `origin`.
 */
export function describeTransformations(options: TransformOptions, qualityAsked: boolean): string[] {
  const segments: string[] = [];
  if (options.height !== undefined) segments.push(`height:${options.height}`);
  if (options.width !== undefined) segments.push(`width:${options.width}`);
  if (options.width !== undefined || options.height !== undefined) segments.push(`resizing_type:${RESIZING_TYPES[options.resize]}`);
  if (qualityAsked) segments.push(`quality:${options.quality}`);
  if (options.format !== undefined && options.format !== 'origin') segments.push(`format:${options.format}`);
  return segments;
}

export interface TransformLimits {
  /** Bytes of source image read at most (libvips needs the whole source before it writes). 50 MiB. */
  maxInputBytes?: number;
  /** Pixels (width × height) of source image decoded at most. 100 million. */
  maxInputPixels?: number;
}

export interface TransformedImage {
  /** The transformed image; errors (not an image, too large) are emitted on it as ImageTransformError. */
  output: Readable;
  /** The output's media type, known once the source's header has been read; rejects like `output`. */
  contentType(): Promise<string>;
}

export class ImageTransformError extends Error {
  /** `invalid_image`: not an image sharp can read; `too_large`: beyond the limits. */
  readonly kind: 'invalid_image' | 'too_large';
  constructor(kind: 'invalid_image' | 'too_large', message: string) {
    super(message);
    this.name = 'ImageTransformError';
    this.kind = kind;
  }
}

/**
 * Transforms an image stream. `accept` is the request's Accept header, used only when
 * `options.format` is unset. The source is read as it arrives; the output streams as libvips
 * produces it.
 */
export function transformImage(input: Readable, options: TransformOptions, context: { accept?: string | undefined } & TransformLimits = {}): TransformedImage {
  const maxInputBytes = context.maxInputBytes ?? 50 * 1024 * 1024;
  const image = sharp({ failOn: 'error', limitInputPixels: context.maxInputPixels ?? 100_000_000 });
  const output = new PassThrough();
  // A caller that learns of a failure from contentType() may never touch `output`; its error
  // must not then crash the process. Consumers (pipe, pipeline, for await) still receive it.
  output.on('error', () => {});
  let received = 0;
  let failure: ImageTransformError | undefined;
  const stop = () => {
    input.unpipe(image);
    // The source is ours to consume; left open, a backend's file handle or socket would leak.
    input.destroy();
    image.destroy();
  };
  const fail = (error: unknown) => {
    failure ??= asTransformError(error);
    stop();
    output.destroy(failure);
  };
  // The consumer went away (a client that disconnected): stop reading and decoding.
  output.once('close', () => {
    if (!output.writableFinished) stop();
  });
  input.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxInputBytes) fail(new ImageTransformError('too_large', `the image is larger than ${maxInputBytes} bytes`));
  });
  input.once('error', fail);
  image.once('error', fail);
  input.pipe(image);

  const contentType = (async () => {
    let format = outputFormat(options.format, context.accept);
    if (!format) {
      const metadata = await image.metadata();
      format = sourceFormat(metadata.format, metadata.compression);
    }
    if (failure) throw failure;
    configure(image, options, format);
    image.pipe(output);
    return CONTENT_TYPES[format];
  })().catch((error: unknown) => {
    fail(error);
    throw failure;
  });
  // Callers that only read `output` learn of failures there; the promise must not go unhandled.
  contentType.catch(() => {});
  return { output, contentType: () => contentType };
}

type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'tiff';

const CONTENT_TYPES: Record<OutputFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  tiff: 'image/tiff',
};

/** The format asked for, or undefined for "the source's own". */
function outputFormat(format: TransformOptions['format'], accept: string | undefined): OutputFormat | undefined {
  if (format === 'avif' || format === 'webp') return format;
  if (format === undefined && accept && /\bimage\/webp\b/i.test(accept)) return 'webp';
  return undefined;
}

/** What `origin` writes: the source's format where sharp can write it, PNG otherwise (SVG, PDF…). */
function sourceFormat(format: string | undefined, compression: string | undefined): OutputFormat {
  switch (format) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'gif':
    case 'tiff':
      return format;
    case 'heif':
      // sharp's libvips writes AV1 HEIF (AVIF) but has no HEVC encoder.
      return compression === 'av1' ? 'avif' : 'jpeg';
    default:
      return 'png';
  }
}

const FITS = { cover: 'cover', contain: 'inside', fill: 'fill' } as const;

function configure(image: Sharp, options: TransformOptions, format: OutputFormat): void {
  // EXIF orientation applied first, so width and height mean what the viewer sees.
  image.rotate();
  if (options.width !== undefined || options.height !== undefined) {
    // imgproxy (Supabase) never enlarges by default; neither do we.
    image.resize({
      ...(options.width !== undefined ? { width: options.width } : {}),
      ...(options.height !== undefined ? { height: options.height } : {}),
      fit: FITS[options.resize],
      withoutEnlargement: true,
    });
  }
  const quality = options.quality;
  switch (format) {
    case 'jpeg':
      image.jpeg({ quality, mozjpeg: false });
      break;
    case 'png':
      image.png();
      break;
    case 'webp':
      image.webp({ quality });
      break;
    case 'avif':
      // effort 2: avif's default (4) costs seconds per megapixel on two cores.
      image.avif({ quality, effort: 2 });
      break;
    case 'gif':
      image.gif();
      break;
    case 'tiff':
      image.tiff({ quality });
      break;
  }
}

function asTransformError(error: unknown): ImageTransformError {
  if (error instanceof ImageTransformError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return new ImageTransformError('too_large', 'the image has more pixels than allowed');
  return new ImageTransformError('invalid_image', message);
}

function clamp(value: number): number {
  return Math.min(Math.max(value, MIN_DIMENSION), MAX_DIMENSION);
}

type ParameterResult<T> = { ok: true; value: T | undefined } | { ok: false; reason: string };

function single(query: Record<string, unknown>, name: string): unknown {
  const value = query[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function integerParameter(query: Record<string, unknown>, name: string, limits: { min: number; max?: number }): ParameterResult<number> {
  const raw = single(query, name);
  if (raw === undefined || raw === '') return { ok: true, value: undefined };
  const text = String(raw).trim();
  if (!/^[+-]?\d+$/.test(text)) return { ok: false, reason: `querystring/${name} must be integer` };
  const value = Number(text);
  if (value < limits.min) return { ok: false, reason: `querystring/${name} must be >= ${limits.min}` };
  if (limits.max !== undefined && value > limits.max) return { ok: false, reason: `querystring/${name} must be <= ${limits.max}` };
  return { ok: true, value };
}

function enumParameter<T extends string>(query: Record<string, unknown>, name: string, allowed: readonly T[]): ParameterResult<T> {
  const raw = single(query, name);
  if (raw === undefined || raw === '') return { ok: true, value: undefined };
  if (typeof raw === 'string' && (allowed as readonly string[]).includes(raw)) return { ok: true, value: raw as T };
  return { ok: false, reason: `querystring/${name} must be equal to one of the allowed values` };
}
