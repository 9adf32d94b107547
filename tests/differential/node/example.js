// Serves a catalogue example on 127.0.0.1:PORT: `node example.js PORT FILE` runs FILE (an Express, Koa or Fastify
// example of the rule pages) and adds only what the example leaves to its deployment: a route answering 200 at
// /api/items, 404 elsewhere, a 200 handler for one it names and leaves out, and the listener (its own listener is
// moved to this port). The process ends by itself after MAX_LIFE_MS.
const path = require('path');
const Module = require('module');
const fs = require('fs');

const [port, file] = [Number(process.argv[2]), path.resolve(process.argv[3])];
const MAX_LIFE_MS = 60000;
const FOUND = '{ app: typeof app === "undefined" ? undefined : app,'
  + ' fastify: typeof fastify === "undefined" ? undefined : fastify }';
const ESM = /^\s*(import\s[^(]|export\s)/m;

const MAX_MISSING = 5;
const ready = () => process.stdout.write('ready\n');
// an application that starts its own listener gets this port and address instead of its own
const http = require('http');
const listen = http.Server.prototype.listen;
let listening = false;
http.Server.prototype.listen = function listenHere() {
  listening = true;
  return listen.call(this, port, '127.0.0.1', ready);
};

// a route handler the example names but leaves out answers 200, as the suite's route does
const missingHandler = (req, res) => res.send('ok');

// an ES module is imported from a copy beside it that exports what it built; CommonJS is compiled in place
async function run(source, attempt) {
  if (ESM.test(source)) {
    const copy = path.join(path.dirname(file), `example-${attempt}.mjs`);
    fs.writeFileSync(copy, `${source}\nexport const __found = ${FOUND};\n`);
    return (await import(copy)).__found;
  }
  const example = new Module(file, module);
  example.filename = file;
  example.paths = Module._nodeModulePaths(__dirname);
  example._compile(`${source}\n;module.exports = ${FOUND};\n`, file);
  return example.exports;
}

async function load() {
  const source = fs.readFileSync(file, 'utf8');
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await run(source, attempt);
    } catch (error) {
      const missing = error instanceof ReferenceError && /^(\w+) is not defined$/.exec(error.message);
      if (!missing || attempt >= MAX_MISSING) throw error;
      globalThis[missing[1]] = missingHandler;
    }
  }
}

async function main() {
  const { app, fastify } = await load();
  // Fastify starts listening later (after its plugins load): the example's own call is in its text
  const startsItself = listening || /\.listen\s*\(/.test(fs.readFileSync(file, 'utf8'));
  const serve = (start) => { if (!startsItself) start(); };

  if (fastify && typeof fastify.inject === 'function') {
    // a Fastify app that starts itself keeps its own routes: routes cannot be added once it listens
    serve(() => {
      fastify.route({ method: ['GET', 'PUT', 'POST', 'DELETE'], url: '/api/items', handler: async () => 'ok' });
      fastify.listen({ port, host: '127.0.0.1' });
    });
  } else if (app && app.context && Array.isArray(app.middleware)) {
    app.use(async (ctx) => {
      if (ctx.path !== '/api/items') { ctx.status = 404; ctx.body = 'missing'; return; }
      ctx.body = 'ok';
    });
    serve(() => app.listen(port, '127.0.0.1'));
  } else if (app && typeof app.handle === 'function') {
    app.all('/api/items', (req, res) => res.send('ok'));
    serve(() => app.listen(port, '127.0.0.1'));
  } else if (!startsItself) {
    process.stdout.write('no application\n');
    process.exit(3);
  }
}

main().catch((error) => { process.stderr.write(`${error.stack || error}\n`); process.exit(4); });
setTimeout(() => process.exit(0), MAX_LIFE_MS).unref();
