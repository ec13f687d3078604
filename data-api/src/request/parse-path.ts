import { Errors } from '../errors.ts';
import type { Action, Target } from './types.ts';
import { percentDecode } from './query-string.ts';

/**
 * The resource and the action (PostgREST's getResource and getAction): `/` is the schema
 * root, `/<relation>` a table or view, `/rpc/<function>` a routine; anything deeper — a
 * trailing slash or an empty segment included — is PGRST125. Segments are percent-decoded
 * (`+` stays a plus, as in a path).
 */
export function parseTarget(path: string): Target {
  const segments = pathSegments(path);
  if (segments.length === 0) return { kind: 'root' };
  const [first, second] = segments;
  if (segments.length === 1 && first) return { kind: 'relation', name: first };
  if (segments.length === 2 && first === 'rpc' && second) return { kind: 'routine', name: second };
  throw Errors.invalidPath();
}

function pathSegments(path: string): string[] {
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  if (trimmed === '') return [];
  return trimmed.split('/').map((segment) => percentDecode(segment, false));
}

/** GET/HEAD read, POST insert or call, PUT, PATCH, DELETE, OPTIONS info; others 405 PGRST117. */
export function actionFor(target: Target, method: string): Action {
  switch (target.kind) {
    case 'root':
      if (method === 'GET' || method === 'HEAD') return { kind: 'read', headersOnly: method === 'HEAD' };
      if (method === 'OPTIONS') return { kind: 'info' };
      break;
    case 'routine':
      if (method === 'GET' || method === 'HEAD' || method === 'POST') return { kind: 'call', method };
      if (method === 'OPTIONS') return { kind: 'info' };
      if (['PUT', 'PATCH', 'DELETE'].includes(method)) throw Errors.rpcMethod(method);
      break;
    case 'relation':
      switch (method) {
        case 'GET':
        case 'HEAD':
          return { kind: 'read', headersOnly: method === 'HEAD' };
        case 'POST':
          return { kind: 'insert' };
        case 'PUT':
          return { kind: 'put' };
        case 'PATCH':
          return { kind: 'update' };
        case 'DELETE':
          return { kind: 'delete' };
        case 'OPTIONS':
          return { kind: 'info' };
      }
      break;
  }
  throw Errors.unsupportedMethod(method);
}
