// The floor of the status bench (measure-floor.ts): a bare node:http server in its own process that answers each
// request with fixed bytes. argv[2] is a JSON file { "<path?query>": { "contentType": "...", "body": "<base64>" } };
// an unknown URL gets the first entry. Prints "floor listening <port>" once it listens on a free loopback port.
'use strict';
const fs = require('node:fs');
const http = require('node:http');

const routes = new Map();
for (const [url, r] of Object.entries(JSON.parse(fs.readFileSync(process.argv[2], 'utf8')))) {
  const body = Buffer.from(r.body, 'base64');
  routes.set(url, { body, headers: { 'Content-Type': r.contentType, 'Content-Length': String(body.length) } });
}
const fallback = routes.values().next().value;
const server = http.createServer((req, res) => {
  const r = routes.get(req.url) ?? fallback;
  res.writeHead(200, r.headers);
  res.end(r.body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`floor listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
