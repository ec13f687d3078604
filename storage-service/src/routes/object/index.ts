import type { FastifyInstance } from 'fastify';
import { copyObjectRoute } from './copy-object.ts';
import { deleteObjectRoute } from './delete-object.ts';
import { deleteObjectsRoute } from './delete-objects.ts';
import { getObjectInfoRoutes, getPublicObjectInfoRoute } from './get-object-info.ts';
import { getObjectRoutes } from './get-object.ts';
import { getPublicObjectRoutes } from './get-public-object.ts';
import { getSignedObjectRoutes } from './get-signed-object.ts';
import { listObjectsRoute } from './list-objects.ts';
import { listObjectsV2Route } from './list-objects-v2.ts';
import { moveObjectRoute } from './move-object.ts';
import { signObjectUrlRoute } from './sign-object-url.ts';
import { signObjectUrlsRoute } from './sign-object-urls.ts';
import { signUploadUrlRoute } from './sign-upload-url.ts';
import { uploadObjectRoutes } from './upload-object.ts';
import { uploadSignedObjectRoute } from './upload-signed-object.ts';

/** /object routes that act as the caller and take JSON (or no) bodies. */
export function authenticatedObjectRoutes(scope: FastifyInstance): void {
  getObjectRoutes(scope);
  getObjectInfoRoutes(scope);
  deleteObjectRoute(scope);
  deleteObjectsRoute(scope);
  listObjectsRoute(scope);
  listObjectsV2Route(scope);
  moveObjectRoute(scope);
  copyObjectRoute(scope);
  signObjectUrlRoute(scope);
  signObjectUrlsRoute(scope);
  signUploadUrlRoute(scope);
}

/** /object routes that act as the caller and stream the body into storage. */
export function authenticatedUploadRoutes(scope: FastifyInstance): void {
  uploadObjectRoutes(scope);
}

/** /object routes with no caller: public buckets, and signed URLs (the token is the credential). */
export function publicObjectRoutes(scope: FastifyInstance): void {
  getPublicObjectRoutes(scope);
  getPublicObjectInfoRoute(scope);
  getSignedObjectRoutes(scope);
}

/** The signed upload URL: no caller, the body streams into storage. */
export function publicUploadRoutes(scope: FastifyInstance): void {
  uploadSignedObjectRoute(scope);
}
