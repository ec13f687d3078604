import type { FastifyInstance } from 'fastify';
import { checkHealth, type DependencyCheck } from '../domain/health.ts';

/**
 * 200 when every dependency answers, 503 otherwise, with each one's status and latency; `details`
 * adds facts that do not decide the status (the last backup run).
 */
export function healthRoute(app: FastifyInstance, checks: DependencyCheck[], details?: () => Record<string, unknown>): void {
  app.get('/health', { logLevel: 'warn' }, async (_request, reply) => {
    const report = await checkHealth(checks);
    reply.header('cache-control', 'no-store');
    return reply.status(report.status === 'ok' ? 200 : 503).send(details ? { ...report, ...details() } : report);
  });
}
