/**
 * A URL the router cannot take — a path whose percent-encoding is not UTF-8 (`%zz`, `%ED%A0%80`),
 * a path parameter past Fastify's length limit — is refused before any route, scope, hook or
 * error handler: Fastify answers it in its own JSON. With `frameworkErrors` set to
 * `answerUnroutableUrls(...)` on the root instance, each protocol answers such URLs under its
 * own prefixes in its own shape instead.
 */

/** What Fastify passes to `frameworkErrors`: typed structurally, so that common needs no Fastify. */
export interface UnroutableUrlError {
  code?: string;
  statusCode?: number;
  message: string;
}

interface UnroutableRequest {
  url: string;
  server: object;
}

type Answer<Request, Reply> = (error: UnroutableUrlError, request: Request, reply: Reply) => unknown;

const PROTOCOLS = Symbol.for('launchdb.unroutableUrlAnswers');

interface ProtocolAnswer {
  under: RegExp;
  answer: Answer<never, never>;
}

function answersOf(server: object): ProtocolAnswer[] {
  const holder = server as { [PROTOCOLS]?: ProtocolAnswer[] };
  return (holder[PROTOCOLS] ??= []);
}

/**
 * The root instance's `frameworkErrors`: the answer of the protocol whose prefix the URL is
 * under (see `answerUnroutableUrlsUnder`), else `otherwise` (the root's own protocol).
 */
export function answerUnroutableUrls<Request extends UnroutableRequest, Reply>(otherwise: Answer<Request, Reply>): Answer<Request, Reply> {
  return (error, request, reply) => {
    const url = request.url;
    for (const { under, answer } of answersOf(request.server)) {
      if (under.test(url)) return (answer as unknown as Answer<Request, Reply>)(error, request, reply);
    }
    return otherwise(error, request, reply);
  };
}

/** A protocol's answer to unroutable URLs under its prefixes, on the root instance it is registered on. */
export function answerUnroutableUrlsUnder<Request, Reply>(root: object, under: RegExp, answer: Answer<Request, Reply>): void {
  answersOf(root).push({ under, answer: answer as unknown as Answer<never, never> });
}
