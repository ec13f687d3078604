import { createServer, type Server } from 'node:http';
import { answerMetrics, type Registry } from '@launchdb/common/metrics';
import type { CaptureWorker } from './capture-worker.ts';

/**
 * The worker's only HTTP: GET /health (its counters, for the container's health check) and
 * GET /metrics (Prometheus), on an internal port that Caddy never routes to.
 */
export function startWorkerServer(options: { worker: CaptureWorker; metrics: Registry; host: string; port: number }): Promise<Server> {
  const server = createServer((request, response) => {
    if (answerMetrics(options.metrics, request, response)) return;
    if (request.method === 'GET' && request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(options.worker.health()));
    } else {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
