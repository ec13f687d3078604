import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

export class BodyTooLargeError extends Error {
  constructor(limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The request body as the data API receives it: the client's bytes, passed on as they come,
 * until more than `limitBytes` have come (a chunked body has no Content-Length to check first);
 * then this stream fails, undici aborts the upstream request, and the data API — which runs a
 * write only once it has the whole body — writes nothing.
 *
 * It also stands between undici and the client's socket: undici destroys a body stream it gives
 * up on, and destroying the IncomingMessage itself would drop the client's connection before
 * it could be told why.
 */
export class RequestBody extends Transform {
  readonly #limitBytes: number;
  #received = 0;
  #exceeded = false;
  #clientGone = false;

  constructor(limitBytes: number) {
    super();
    this.#limitBytes = limitBytes;
  }

  get exceeded(): boolean {
    return this.#exceeded;
  }

  /** The client closed its connection before sending the whole body. */
  get clientGone(): boolean {
    return this.#clientGone;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#received += chunk.length;
    if (this.#received > this.#limitBytes) {
      this.#exceeded = true;
      done(new BodyTooLargeError(this.#limitBytes));
      return;
    }
    done(null, chunk);
  }

  static of(source: IncomingMessage, limitBytes: number): RequestBody {
    const body = new RequestBody(limitBytes);
    // pipe() does not pass on a source's failure: a client that goes away mid-body must end the upstream request too
    source.once('close', () => {
      if (source.complete) return;
      body.#clientGone = true;
      body.destroy(new Error('the client closed the connection before sending its whole body'));
    });
    source.pipe(body);
    return body;
  }
}

/** Whether the request announces a body (Node gives a bodiless request an already-ended stream). */
export function hasRequestBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
