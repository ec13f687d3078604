import { Writable } from 'node:stream';
import { createLogger } from '@launchdb/common';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazyChildLogger } from './lazy-logger.ts';

function capture(level: string): { logger: FastifyBaseLogger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level, name: 'data-api', destination: destination as never }) as unknown as FastifyBaseLogger;
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const { time: _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
          return rest;
        }),
  };
}

describe('lazyChildLogger', () => {
  it('logs what the pino child would log, at every level', () => {
    const lazy = capture('info');
    const eager = capture('info');
    const loggers = [lazyChildLogger(lazy.logger, { reqId: 'r1' }, {}), eager.logger.child({ reqId: 'r1' })];
    for (const log of loggers) {
      log.debug('hidden');
      log.info({ a: 1 }, 'shown');
      log.error({ err: new Error('boom'), token: 'secret-token' }, 'failed %s', 'here');
      log.warn('w');
      log.child({ more: true }).info('nested');
    }
    expect(lazy.lines()).toStrictEqual(eager.lines());
    expect(lazy.lines()).toHaveLength(4);
  });

  it('makes no child when nothing is logged at an enabled level', () => {
    const { logger } = capture('error');
    let children = 0;
    const counting = Object.create(logger, {
      child: { value: (...args: Parameters<FastifyBaseLogger['child']>) => (children++, logger.child(...args)) },
    }) as FastifyBaseLogger;
    const log = lazyChildLogger(counting, { reqId: 'r2' }, {});
    log.info('not logged');
    log.debug('not logged');
    expect(children).toBe(0);
    expect(log.level).toBe('error');
    log.error('logged');
    expect(children).toBe(1);
  });
});
