/**
 * The floor of any gateway on this machine: a bare node:http server that passes each request to
 * one fixed upstream with undici (keep-alive) and streams the answer back — no routing, no key
 * check, no rate limit, no error handling worth the name. The gateway's overhead is compared with
 * this proxy's, measured in the same run.
 *
 *   node floor-proxy.ts <upstream origin> <port>
 */
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

const [origin, portText] = process.argv.slice(2);
if (!origin || !portText) throw new Error('usage: floor-proxy.ts <upstream origin> <port>');
const upstream = new Pool(origin, { connections: 16 });

const server = createServer((request, response) => {
  const headers = { ...request.headers };
  delete headers.host;
  delete headers.connection;
  upstream
    .request({ method: request.method as 'GET', path: request.url ?? '/', headers, body: request.method === 'GET' || request.method === 'HEAD' ? null : request })
    .then(async (answer) => {
      response.writeHead(answer.statusCode, answer.headers as Record<string, string>);
      await pipeline(answer.body, response);
    })
    .catch(() => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(portText), '127.0.0.1', () => process.stdout.write('listening\n'));
