import { CaptureError } from './capture-error.ts';

export interface TranscriberSettings {
  /** The server's base URL; `/v1/audio/transcriptions` is appended unless it ends with it. */
  url: string;
  model: string;
  apiKey?: string | undefined;
}

/** Transcription requests give up after this long (the capture is retried later). */
const TIMEOUT_MS = 120_000;

/** A voice note through an OpenAI-compatible server (whisper.cpp's server, faster-whisper, OpenAI). */
export async function transcribe(settings: TranscriberSettings, audio: Buffer, mimetype: string, fileName: string): Promise<string> {
  const base = settings.url.replace(/\/+$/, '');
  const url = base.endsWith('/v1/audio/transcriptions') ? base : `${base}/v1/audio/transcriptions`;
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(audio)], { type: mimetype }), fileName.split('/').pop() ?? 'voice.webm');
  form.set('model', settings.model);
  form.set('response_format', 'json');
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body: form,
      headers: settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {},
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new CaptureError('The transcription server could not be reached; Haven will try again.', { cause: error });
  }
  if (!response.ok) {
    // 4xx: this audio will not do better next time
    throw new CaptureError(`The transcription server refused this recording (HTTP ${response.status}).`, { permanent: response.status >= 400 && response.status < 500 && response.status !== 429 });
  }
  const body = (await response.json().catch(() => ({}))) as { text?: unknown };
  if (typeof body.text !== 'string') throw new CaptureError('The transcription server answered without a transcript.');
  return body.text.trim();
}
