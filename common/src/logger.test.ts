import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger, withoutCredentials } from './logger.ts';

describe('service logs', () => {
  it('replace the values of credential query parameters, keeping the rest of the URL', () => {
    expect(withoutCredentials('/storage/p1/object/sign/docs/a.txt?token=eyJhbGciOi.x.y&download=a.txt')).toBe(
      '/storage/p1/object/sign/docs/a.txt?token=[redacted]&download=a.txt',
    );
    expect(withoutCredentials('/db/p1/things?select=*&apikey=secret-key')).toBe('/db/p1/things?select=*&apikey=[redacted]');
    expect(withoutCredentials('/auth/p1/verify?type=signup&token=abc&redirect_to=x')).toBe('/auth/p1/verify?type=signup&token=[redacted]&redirect_to=x');
    expect(withoutCredentials('/auth/p1/verify?token_hash=abc#x')).toBe('/auth/p1/verify?token_hash=[redacted]#x');
    expect(withoutCredentials('/api/health')).toBe('/api/health');
  });

  it('never write a request\'s apikey, token or authorization header, as Fastify logs requests', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()) });
    const app = Fastify({ loggerInstance: createLogger({ level: 'info', name: 'test', destination }) as FastifyBaseLogger });
    app.get('/things', async () => ({ ok: true }));
    await app.inject({ method: 'GET', url: '/things?apikey=the-secret-key&token=the-signed-token', headers: { authorization: 'Bearer the-bearer' } });
    await app.close();
    const log = lines.join('');
    expect(log).toContain('/things?apikey=[redacted]&token=[redacted]');
    expect(log).not.toMatch(/the-secret-key|the-signed-token|the-bearer/);
  });
});
