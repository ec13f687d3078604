/** The body of /object/move and /object/copy, as storage-js sends it. */
export const transferBody = {
  type: 'object',
  properties: {
    bucketId: { type: 'string' },
    sourceKey: { type: 'string' },
    destinationKey: { type: 'string' },
    destinationBucket: { type: 'string' },
  },
  required: ['bucketId', 'sourceKey', 'destinationKey'],
} as const;

export interface TransferBody {
  bucketId: string;
  sourceKey: string;
  destinationKey: string;
  destinationBucket?: string;
}
