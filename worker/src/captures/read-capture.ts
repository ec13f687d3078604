import type { Readable } from 'node:stream';
import sharp from 'sharp';
import type { StorageBackend } from '@launchdb/storage-service/backends';
import type { ProjectConnections } from '../connections.ts';
import type { ClaimedCapture } from '../sql/claim-capture.ts';
import { assetsOf, captureObject, catalogue, householdAssets, membersAssets, type CatalogueEntry } from '../sql/household.ts';
import { CaptureError } from './capture-error.ts';
import type { OcrPool } from './ocr-pool.ts';
import { readRatingPlate, type RatingPlate } from './rating-plate.ts';
import { bestCatalogueEntry, matchText, stems, type Suggestion } from './text-match.ts';
import { transcribe, type TranscriberSettings } from './transcriber.ts';

/** What the worker makes of a capture: `captures.result`. */
export interface CaptureResult {
  text?: string;
  brand?: string | null;
  model?: string | null;
  serial?: string | null;
  manufactured_on?: string | null;
  ratings?: RatingPlate['ratings'];
  confidence: number;
  suggestion: Suggestion | null;
  /** Said to the homeowner when there is nothing else to show (no transcriber, no text found). */
  note?: string;
}

/** The catalogue changes only with a template migration: read once per project per few minutes. */
export class CatalogueCache {
  readonly #entries = new Map<string, { at: number; entries: Promise<CatalogueEntry[]> }>();
  readonly #ttlMs: number;

  constructor(ttlMs = 300_000) {
    this.#ttlMs = ttlMs;
  }

  get(projectId: string, read: () => Promise<CatalogueEntry[]>): Promise<CatalogueEntry[]> {
    const cached = this.#entries.get(projectId);
    if (cached && Date.now() - cached.at < this.#ttlMs) return cached.entries;
    const entries = read();
    this.#entries.set(projectId, { at: Date.now(), entries });
    entries.catch(() => this.#entries.delete(projectId));
    return entries;
  }
}

export interface CaptureReaders {
  catalogue: CatalogueCache;
  connections: ProjectConnections;
  backend: StorageBackend;
  ocr: OcrPool;
  transcriber: TranscriberSettings | undefined;
}

/** Photos larger than this on their long side are scaled down before OCR (a plate needs far less). */
const OCR_MAX_SIDE = 2000;
/** Files larger than this are not read (the captures bucket allows 50 MB). */
const MAX_FILE_BYTES = 52_428_800;

export async function readCapture(projectId: string, capture: ClaimedCapture, readers: CaptureReaders): Promise<CaptureResult> {
  if (capture.kind === 'text') return readText(projectId, capture, readers);
  const file = await readFile(projectId, capture, readers);
  if (capture.kind === 'photo') return readPhoto(projectId, file.bytes, readers);
  if (!readers.transcriber) {
    return { confidence: 0, suggestion: null, note: 'No transcriber is configured on this server: listen to the recording.' };
  }
  const text = await transcribe(readers.transcriber, file.bytes, file.mimetype ?? 'audio/webm', capture.storage_path!);
  const match = await matchAgainstHousehold(projectId, capture, text, readers);
  return { text, ...match };
}

async function readText(projectId: string, capture: ClaimedCapture, readers: CaptureReaders): Promise<CaptureResult> {
  const text = capture.body ?? '';
  return { text, ...(await matchAgainstHousehold(projectId, capture, text, readers)) };
}

/**
 * A batch of notes: the assets of every household their writers belong to are read once, in one
 * statement, and each note is matched against its own writer's share (as `readText` would).
 */
export async function readTexts(projectId: string, captures: readonly ClaimedCapture[], readers: CaptureReaders): Promise<Map<string, CaptureResult>> {
  const writers = [...new Set(captures.map((capture) => capture.owner_id))];
  const [assets, entries] = await Promise.all([
    readers.connections.asService(projectId, (sql) => membersAssets(sql, writers)),
    catalogueOf(projectId, readers),
  ]);
  const results = new Map<string, CaptureResult>();
  for (const capture of captures) {
    const text = capture.body ?? '';
    results.set(capture.id, { text, ...matchText(text, assetsOf(assets, capture.owner_id, capture.property_id), entries) });
  }
  return results;
}

async function matchAgainstHousehold(projectId: string, capture: ClaimedCapture, text: string, readers: CaptureReaders) {
  const [assets, entries] = await Promise.all([
    readers.connections.asService(projectId, (sql) => householdAssets(sql, capture.owner_id, capture.property_id)),
    catalogueOf(projectId, readers),
  ]);
  return matchText(text, assets, entries);
}

function catalogueOf(projectId: string, readers: CaptureReaders): Promise<CatalogueEntry[]> {
  return readers.catalogue.get(projectId, () => readers.connections.asService(projectId, (sql) => catalogue(sql)));
}

async function readFile(projectId: string, capture: ClaimedCapture, readers: CaptureReaders): Promise<{ bytes: Buffer; mimetype: string | null }> {
  const path = capture.storage_path;
  // the check constraint says so for new rows; old rows are checked here
  if (!path || !path.startsWith(`${capture.owner_id}/`)) throw new CaptureError('The file of this capture is not in your captures folder.', { permanent: true });
  const object = await readers.connections.asService(projectId, (sql) => captureObject(sql, path));
  if (!object) throw new CaptureError('The file of this capture was not uploaded (or was deleted): capture it again.', { permanent: true });
  if (object.size !== null && object.size > MAX_FILE_BYTES) throw new CaptureError('This file is larger than 50 MB.', { permanent: true });
  const read = await readers.backend.read({ projectId, bucketId: 'captures', key: path, version: object.version });
  return { bytes: await collect(read.body), mimetype: object.mimetype };
}

async function readPhoto(projectId: string, bytes: Buffer, readers: CaptureReaders): Promise<CaptureResult> {
  let prepared: Buffer;
  try {
    prepared = await sharp(bytes, { limitInputPixels: 100_000_000 })
      .rotate()
      .resize({ width: OCR_MAX_SIDE, height: OCR_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .grayscale()
      .normalize()
      .png({ compressionLevel: 1 })
      .toBuffer();
  } catch (error) {
    throw new CaptureError('This file is not a photo Haven can open (JPEG, PNG, WebP, HEIF, TIFF or GIF).', { permanent: true, cause: error });
  }
  const { text, confidence } = await readers.ocr.recognize(prepared);
  const plate = readRatingPlate(text);
  const entries = await catalogueOf(projectId, readers);
  const found = plate.brand !== null || plate.model !== null || plate.serial !== null;
  return {
    text: text.trim(),
    ...plate,
    confidence: Math.round(confidence) / 100,
    suggestion: found ? suggestAsset(text, plate, entries) : null,
    ...(text.trim() === '' ? { note: 'Haven could not find any text in this photo: try again closer, in good light.' } : {}),
  };
}

/** The catalogue entry the plate's words name ("WATER HEATER", "FURNACE"), with what the plate says. */
function suggestAsset(text: string, plate: RatingPlate, entries: CatalogueEntry[]): Suggestion {
  const entry = bestCatalogueEntry(new Set(stems(text)), entries)?.entry;
  return {
    kind: 'add_asset',
    template_key: entry?.key ?? null,
    name: entry?.name ?? (plate.brand ? `${plate.brand} appliance` : 'Appliance'),
    brand: plate.brand,
    model: plate.model,
    serial: plate.serial,
  };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > MAX_FILE_BYTES) {
      stream.destroy();
      throw new CaptureError('This file is larger than 50 MB.', { permanent: true });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
