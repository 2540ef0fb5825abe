// The third-party API stand-in for the tool-call benchmarks, in its own process: one JSON document,
// answered as cheaply as Node can, so the figures measure what sits in front of it.
import { createServer } from 'node:http';

const BODY = '{"id":1,"title":"benchmark item","score":42}';
createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
  res.end(BODY);
}).listen(Number(process.env.PORT), '127.0.0.1');
