/** JSON schemas the bucket routes share. */
export const bucketIdParams = {
  type: 'object',
  properties: { projectId: { type: 'string' }, bucketId: { type: 'string' } },
  required: ['bucketId'],
} as const;

export interface BucketIdParams {
  bucketId: string;
}

export const bucketSettingsProperties = {
  public: { type: 'boolean' },
  file_size_limit: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string' }, { type: 'null' }] },
  allowed_mime_types: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] },
} as const;

export interface BucketSettingsBody {
  public?: boolean;
  file_size_limit?: number | string | null;
  allowed_mime_types?: string[] | null;
}
