/** storage-js's `transform` option, as sent in the body of POST /object/sign. */
export interface TransformBody {
  width?: number;
  height?: number;
  resize?: string;
  format?: string;
  quality?: number;
}

export const transformSchema = {
  type: 'object',
  properties: {
    width: { type: 'integer' },
    height: { type: 'integer' },
    resize: { type: 'string' },
    format: { type: 'string' },
    quality: { type: 'integer' },
  },
} as const;

/** The transformations as the query string /render/image reads, in a fixed order; '' when none. */
export function transformQuery(transform: TransformBody | undefined): string {
  if (transform === undefined) return '';
  const query = new URLSearchParams();
  for (const key of ['width', 'height', 'resize', 'format', 'quality'] as const) {
    const value = transform[key];
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  return query.toString();
}
