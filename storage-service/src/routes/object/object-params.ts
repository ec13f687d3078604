/** `/…/:bucketId/*`: the bucket and the object's name (the wildcard), already URL-decoded. */
export interface ObjectParams {
  bucketId: string;
  '*': string;
}

export function objectNameOf(params: ObjectParams): string {
  return params['*'];
}
