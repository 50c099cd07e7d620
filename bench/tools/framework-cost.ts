/**
 * What a web framework costs per request on this machine: one POST with a small JSON body,
 * answered with a small JSON body, by bare `node:http` and by Express 5 in the ways qrlogin
 * uses it. Round trips over one keep-alive connection; the variants alternate, best of 5.
 *   node scripts/run-ts.mjs bench/tools/framework-cost.ts
 */
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import express from 'express';
import { postJson } from '../lib/http';

const readJson = (req: IncomingMessage, done: (body: unknown) => void) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => done(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
};
const PATH = '/api/v2/qrcode/confirm';
const ANSWER = '{"code":200,"message":"ok","data":{"status":2}}';

function variants(): [string, RequestListener][] {
  const routeOnly = express().set('etag', false);
  routeOnly.post(PATH, (req, res) =>
    readJson(req, () => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(ANSWER)),
  );
  const withJson = express().set('etag', false);
  withJson.post(PATH, (req, res) => readJson(req, () => res.json({ code: 200, message: 'ok', data: { status: 2 } })));
  const withParser = express().set('etag', false);
  withParser.use('/api', express.json({ limit: '16kb' }));
  withParser.post(PATH, (_req, res) => res.json({ code: 200, message: 'ok', data: { status: 2 } }));
  return [
    ['bare node:http', (req, res) => readJson(req, () => res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER))],
    ['Express 5: route, writeHead + end', routeOnly],
    ['Express 5: route, res.json', withJson],
    ['Express 5: express.json() + route + res.json', withParser],
  ];
}

async function main() {
  const servers = await Promise.all(
    variants().map(async ([name, listener]) => {
      const server = createServer(listener);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      return { name, server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}${PATH}`, best: Infinity };
    }),
  );
  const N = 2000;
  for (let round = 0; round < 6; round += 1) {
    for (const entry of servers) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i += 1) await postJson(entry.url, { random: 'abc' });
      if (round > 0) entry.best = Math.min(entry.best, Number(process.hrtime.bigint() - t0) / 1000 / N);
    }
  }
  for (const { name, best, server } of servers) {
    console.log(`${name.padEnd(46)} ${best.toFixed(1)} µs per round trip`);
    server.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
