import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import { signedPath, verifyDownloadGrant } from '../../domain/signed-urls.ts';
import { StorageErrors } from '../../errors.ts';
import { objectNameOf, type ObjectParams } from '../object/object-params.ts';
import { storageContext } from '../storage-request.ts';
import { sendRenderedImage } from './render-image.ts';

type Query = Record<string, string | undefined>;

/** GET /render/image/authenticated/:bucketId/*: an image the caller may read, transformed. */
export function authenticatedRenderRoutes(scope: FastifyInstance): void {
  scope.get<{ Params: ObjectParams; Querystring: Query }>('/render/image/authenticated/:bucketId/*', { exposeHeadRoute: false }, async (request, reply) => {
    const context = storageContext(request);
    const row = await Objects.find(context, request.params.bucketId, objectNameOf(request.params));
    return sendRenderedImage(request, reply, context, row, request.query);
  });
}

/**
 * GET /render/image/public/:bucketId/* (public buckets) and /render/image/sign/:bucketId/*?token=
 * (the transformations are those signed into the token, not the query's).
 */
export function publicRenderRoutes(scope: FastifyInstance): void {
  scope.get<{ Params: ObjectParams; Querystring: Query }>('/render/image/public/:bucketId/*', { exposeHeadRoute: false }, async (request, reply) => {
    const context = storageContext(request);
    const row = await Objects.findPublic(context, request.params.bucketId, objectNameOf(request.params));
    return sendRenderedImage(request, reply, context, row, request.query);
  });
  scope.get<{ Params: ObjectParams; Querystring: Query }>('/render/image/sign/:bucketId/*', { exposeHeadRoute: false }, async (request, reply) => {
    const { token } = request.query;
    if (token === undefined || token === '') throw StorageErrors.missingParameter('token');
    const context = storageContext(request);
    const name = objectNameOf(request.params);
    const grant = await verifyDownloadGrant(context.project.jwtSecret, token, signedPath(request.params.bucketId, name));
    const row = await Objects.findSigned(context, request.params.bucketId, name);
    return sendRenderedImage(request, reply, context, row, Object.fromEntries(new URLSearchParams(grant.transformations ?? '')));
  });
}
