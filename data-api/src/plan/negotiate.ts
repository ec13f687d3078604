/**
 * Content negotiation, as PostgREST 12's negotiateContent: the first media type in `Accept` (by
 * quality, then order) that the response can be made in; none → 406 PGRST107.
 *
 * PostgREST's vendor types (singular object, stripped nulls, the plan) are always its own. Any
 * other type is looked up among the media type handlers (domains named after media types, see
 * schema-cache/media-handlers.ts) — the target's own `*\/*` or same-type handler when the
 * default columns are selected, then an anyelement handler — before the built-in JSON, CSV and
 * GeoJSON, which handlers can therefore override.
 */
import { Errors } from '../errors.ts';
import type { AcceptedMediaType, ApiRequest } from '../request/types.ts';
import { lookupMediaHandler } from '../schema-cache/media-handlers.ts';
import type { Column, MediaHandler, MediaHandlers, QualifiedName } from '../schema-cache/types.ts';
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

export interface NegotiationOptions {
  planEnabled: boolean;
  /** The schema cache's handlers; none: only the built-in types. */
  handlers?: MediaHandlers | undefined;
  /** The relation (or the function, for a scalar result) whose rows make the body. */
  target?: QualifiedName | undefined;
  /** No `select` (or `select=*`) without embeds: a handler of the target may take its whole rows. */
  defaultSelect?: boolean;
}

const EXPLAIN_OPTIONS: readonly ExplainOption[] = ['analyze', 'verbose', 'settings', 'buffers', 'wal'];
const ANY: AcceptedMediaType = { type: '*/*', parameters: {}, quality: 1 };

export function negotiateRead(accept: AcceptedMediaType[], options: NegotiationOptions): NegotiatedMedia {
  const ordered = (accept.length === 0 ? [ANY] : accept)
    .map((media, index) => ({ media, index }))
    .filter(({ media }) => media.quality > 0)
    .sort((a, b) => b.media.quality - a.media.quality || a.index - b.index)
    .map(({ media }) => media);
  const handlerFor = (type: string): MediaHandler | undefined =>
    options.target === undefined ? undefined : lookupMediaHandler(options.handlers, options.target, type, options.defaultSelect ?? true);
  for (const media of ordered) {
    const type = media.type.toLowerCase();
    if (type === 'application/vnd.pgrst.plan' || type === 'application/vnd.pgrst.plan+text' || type === 'application/vnd.pgrst.plan+json') {
      if (!options.planEnabled) continue;
      const forType = unquote(media.parameters['for'] ?? 'application/json');
      const [forMedia = '', ...forParameters] = forType.split(';').map((part) => part.trim());
      const explained = produced(forMedia.toLowerCase(), parametersOf(forParameters), handlerFor);
      if (!explained) continue;
      const format = type === 'application/vnd.pgrst.plan+json' ? 'json' : 'text';
      const requested = (media.parameters['options'] ?? '').split('|');
      const explainOptions = EXPLAIN_OPTIONS.filter((option) => requested.includes(option));
      // named by what was asked for, as PostgREST names it (a handler's own type may differ: `*/*`)
      const forName = typeof explained.body === 'object' ? forMedia.toLowerCase() : explained.mediaType;
      return {
        mediaType: `application/vnd.pgrst.plan+${format}; for="${forName}"${explainOptions.length > 0 ? `; options=${explainOptions.join('|')}` : ''}`,
        body: explained.body,
        singular: false,
        explain: { format, options: explainOptions },
      };
    }
    const match = produced(type, media.parameters, handlerFor);
    if (match) return match;
  }
  throw Errors.notAcceptable(accept.map((media) => media.type).join(', '));
}

/**
 * PostgREST's hasDefaultSelect: no `select`, or `select=*`, without embeds — and no column of
 * the rows with a `domain → json` data representation, for which PostgREST spells `*` out as
 * the formatted columns, which are then no longer the relation's row.
 */
export function selectsDefault(request: Pick<ApiRequest, 'select'>, columns: readonly Column[] = []): boolean {
  return request.select.length === 1 && request.select[0]?.kind === 'star' && !columns.some((column) => column.representations?.toJson !== undefined);
}

/** A media type handler's body: text, or the hex of bytes for a handler over bytea. */
export function handlerBody(media: NegotiatedMedia): 'text' | 'hex' | undefined {
  if (media.explain !== undefined || typeof media.body !== 'object') return undefined;
  return media.body.handler.binary ? 'hex' : 'text';
}

const JSON_MEDIA: NegotiatedMedia = { mediaType: 'application/json', body: 'json', singular: false, explain: undefined };

function produced(type: string, parameters: Record<string, string>, handlerFor: (type: string) => MediaHandler | undefined): NegotiatedMedia | undefined {
  const stripped = unquote(parameters['nulls'] ?? '') === 'stripped';
  switch (type) {
    // PostgREST's own: never overridden; it names the stripped variants in Content-Type
    case 'application/vnd.pgrst.object+json':
    case 'application/vnd.pgrst.object':
      return stripped
        ? { mediaType: 'application/vnd.pgrst.object+json;nulls=stripped', body: 'object-stripped', singular: true, explain: undefined }
        : { mediaType: 'application/vnd.pgrst.object+json', body: 'object', singular: true, explain: undefined };
    case 'application/vnd.pgrst.array+json':
    case 'application/vnd.pgrst.array':
      if (stripped) return { mediaType: 'application/vnd.pgrst.array+json;nulls=stripped', body: 'json-stripped', singular: false, explain: undefined };
      // a plain array is application/json, and is overridden as that
      return overridable('application/json', handlerFor);
    default:
      return overridable(type, handlerFor);
  }
}

function overridable(type: string, handlerFor: (type: string) => MediaHandler | undefined): NegotiatedMedia | undefined {
  const handler = handlerFor(type);
  if (handler) return { mediaType: handler.contentType as ResponseMediaType, body: { handler }, singular: false, explain: undefined };
  switch (type) {
    case 'application/json':
    case '*/*':
      return JSON_MEDIA;
    case 'text/csv':
      return { mediaType: 'text/csv', body: 'csv', singular: false, explain: undefined };
    case 'application/geo+json':
      return { mediaType: 'application/geo+json', body: 'geojson', singular: false, explain: undefined };
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
