/**
 * Content negotiation for reads, as PostgREST's negotiateContent: the first acceptable media
 * type in `Accept` (by quality, then order) that a read can produce; none → 406 PGRST107.
 */
import { Errors } from '../errors.ts';
import type { AcceptedMediaType } from '../request/types.ts';
import type { BodyFormat, ExplainOption } from '../sql/read-query.ts';
import type { ResponseMediaType } from './types.ts';

export interface NegotiatedMedia {
  /** Content-Type of the response. */
  mediaType: ResponseMediaType;
  /** How the statement aggregates rows into the body (for a plan: the body it explains). */
  body: Exclude<BodyFormat, 'none'>;
  /** `application/vnd.pgrst.object+json`: exactly one row, else 406 PGRST116. */
  singular: boolean;
  /** `application/vnd.pgrst.plan[+json|+text]`: EXPLAIN the statement instead of running it. */
  explain: { format: 'json' | 'text'; options: ExplainOption[] } | undefined;
}

const EXPLAIN_OPTIONS: readonly ExplainOption[] = ['analyze', 'verbose', 'settings', 'buffers', 'wal'];

export function negotiateRead(accept: AcceptedMediaType[], options: { planEnabled: boolean }): NegotiatedMedia {
  const ordered = accept
    .map((media, index) => ({ media, index }))
    .filter(({ media }) => media.quality > 0)
    .sort((a, b) => b.media.quality - a.media.quality || a.index - b.index)
    .map(({ media }) => media);
  if (accept.length === 0) return JSON_MEDIA;
  for (const media of ordered) {
    const type = media.type.toLowerCase();
    if (type === 'application/vnd.pgrst.plan' || type === 'application/vnd.pgrst.plan+text' || type === 'application/vnd.pgrst.plan+json') {
      if (!options.planEnabled) continue;
      const forType = unquote(media.parameters['for'] ?? 'application/json');
      const [forMedia, ...forParameters] = forType.split(';').map((part) => part.trim());
      const explained = produced(forMedia ?? '', parametersOf(forParameters));
      if (!explained) continue;
      const format = type === 'application/vnd.pgrst.plan+json' ? 'json' : 'text';
      const requested = (media.parameters['options'] ?? '').split('|');
      const explainOptions = EXPLAIN_OPTIONS.filter((option) => requested.includes(option));
      return {
        mediaType: `application/vnd.pgrst.plan+${format}; for="${explained.mediaType}"${explainOptions.length > 0 ? `; options=${explainOptions.join('|')}` : ''}`,
        body: explained.body,
        singular: false,
        explain: { format, options: explainOptions },
      };
    }
    const match = produced(type, media.parameters);
    if (match) return match;
  }
  throw Errors.notAcceptable(accept.map((media) => media.type).join(', '));
}

const JSON_MEDIA: NegotiatedMedia = { mediaType: 'application/json', body: 'json', singular: false, explain: undefined };

function produced(type: string, parameters: Record<string, string>): NegotiatedMedia | undefined {
  const stripped = unquote(parameters['nulls'] ?? '') === 'stripped';
  switch (type.toLowerCase()) {
    case 'application/json':
    case '*/*':
      return JSON_MEDIA;
    // PostgREST names the stripped variants in Content-Type; a plain array is application/json
    case 'application/vnd.pgrst.array+json':
    case 'application/vnd.pgrst.array':
      return stripped
        ? { mediaType: 'application/vnd.pgrst.array+json;nulls=stripped', body: 'json-stripped', singular: false, explain: undefined }
        : JSON_MEDIA;
    case 'application/vnd.pgrst.object+json':
    case 'application/vnd.pgrst.object':
      return stripped
        ? { mediaType: 'application/vnd.pgrst.object+json;nulls=stripped', body: 'object-stripped', singular: true, explain: undefined }
        : { mediaType: 'application/vnd.pgrst.object+json', body: 'object', singular: true, explain: undefined };
    case 'text/csv':
      return { mediaType: 'text/csv', body: 'csv', singular: false, explain: undefined };
    default:
      return undefined;
  }
}

function parametersOf(parts: string[]): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const part of parts) {
    const [key, value] = part.split('=');
    if (key && value !== undefined) parameters[key.trim().toLowerCase()] = unquote(value.trim());
  }
  return parameters;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
