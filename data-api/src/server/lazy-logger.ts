import type { FastifyBaseLogger } from 'fastify';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** A pino logger, as Fastify is given one. */
type PinoLike = FastifyBaseLogger & { isLevelEnabled(level: string): boolean; bindings(): Record<string, unknown> };

/**
 * Fastify's per-request child logger (`logger.child({ reqId })`), made only when something is
 * logged at a level the parent has enabled: most requests log nothing at `log-level` error, and
 * a pino child per request is measurable. What is logged is what the child would have logged.
 */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Record<string, unknown>, options: object): FastifyBaseLogger {
  const parent = logger as PinoLike;
  // a route with its own level or serializers gets a real child straight away
  if (Object.keys(options).length > 0 || typeof parent.isLevelEnabled !== 'function') return parent.child(bindings, options);
  return new LazyChildLogger(parent, bindings) as unknown as FastifyBaseLogger;
}

class LazyChildLogger {
  #child: PinoLike | undefined;
  readonly #parent: PinoLike;
  readonly #bindings: Record<string, unknown>;

  constructor(parent: PinoLike, bindings: Record<string, unknown>) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  private materialize(): PinoLike {
    return (this.#child ??= this.#parent.child(this.#bindings, {}) as PinoLike);
  }

  private log(level: Level, args: unknown[]): void {
    if (this.#child === undefined && !this.#parent.isLevelEnabled(level)) return;
    const child = this.materialize();
    Reflect.apply(child[level], child, args);
  }

  get level(): string {
    return this.#child?.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.materialize().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.#parent).isLevelEnabled(level);
  }

  bindings(): Record<string, unknown> {
    return this.materialize().bindings();
  }

  child(bindings: Record<string, unknown>, options?: object): FastifyBaseLogger {
    return this.materialize().child(bindings, options);
  }

  fatal(...args: unknown[]): void {
    this.log('fatal', args);
  }

  error(...args: unknown[]): void {
    this.log('error', args);
  }

  warn(...args: unknown[]): void {
    this.log('warn', args);
  }

  info(...args: unknown[]): void {
    this.log('info', args);
  }

  debug(...args: unknown[]): void {
    this.log('debug', args);
  }

  trace(...args: unknown[]): void {
    this.log('trace', args);
  }

  silent(): void {}
}
