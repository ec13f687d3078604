/**
 * request/: from an HTTP request to an `ApiRequest` (PostgREST's ApiRequest stage). Pure:
 * no I/O, and every failure is a `PgrstError`.
 */
export { parseApiRequest, type RawRequest, type RequestConfig } from './api-request.ts';
export { parseFilterParam } from './parse-filter.ts';
export { parseSelect } from './parse-select.ts';
export { parseOrder } from './parse-order.ts';
export { parseLogicParam } from './parse-logic.ts';
export { parseColumns } from './parse-field.ts';
export { parseQueryParameters, isReservedKey, type QueryParameters } from './parse-query.ts';
export { parsePreferences } from './parse-preferences.ts';
export { parseAccept, decodeMediaType } from './parse-accept.ts';
export { parseRangeHeader, type RowRange } from './parse-range.ts';
export { parsePayload, type PayloadContext } from './parse-body.ts';
export { splitQueryString, decodeComponent, type QueryPair } from './query-string.ts';
export type * from './types.ts';
