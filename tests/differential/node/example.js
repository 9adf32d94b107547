// Serves a catalogue example on 127.0.0.1:PORT: `node example.js PORT FILE` runs FILE (an Express, Koa or Fastify
// example of the rule pages) and adds only what the example leaves to its deployment: a route answering 200 at
// /api/items, 404 elsewhere, a 200 handler for one it names and leaves out, and the listener. The process ends by itself after MAX_LIFE_MS.
const path = require('path');
const Module = require('module');
const fs = require('fs');

const [port, file] = [Number(process.argv[2]), path.resolve(process.argv[3])];
const MAX_LIFE_MS = 60000;
const EXPORT = '\n;module.exports = { app: typeof app === "undefined" ? undefined : app,'
  + ' fastify: typeof fastify === "undefined" ? undefined : fastify };\n';

const MAX_MISSING = 5;
// a route handler the example names but leaves out answers 200, as the suite's route does
const missingHandler = (req, res) => res.send('ok');

function load() {
  for (let attempt = 0; ; attempt += 1) {
    const example = new Module(file, module);
    example.filename = file;
    example.paths = Module._nodeModulePaths(__dirname);
    try {
      example._compile(fs.readFileSync(file, 'utf8') + EXPORT, file);
      return example.exports;
    } catch (error) {
      const missing = error instanceof ReferenceError && /^(\w+) is not defined$/.exec(error.message);
      if (!missing || attempt >= MAX_MISSING) throw error;
      globalThis[missing[1]] = missingHandler;
    }
  }
}

const { app, fastify } = load();
const ready = () => process.stdout.write('ready\n');

if (fastify && typeof fastify.inject === 'function') {
  fastify.route({ method: ['GET', 'PUT', 'POST', 'DELETE'], url: '/api/items', handler: async () => 'ok' });
  fastify.listen({ port, host: '127.0.0.1' }).then(ready);
} else if (app && app.context && Array.isArray(app.middleware)) {
  app.use(async (ctx) => {
    if (ctx.path !== '/api/items') { ctx.status = 404; ctx.body = 'missing'; return; }
    ctx.body = 'ok';
  });
  app.listen(port, '127.0.0.1', ready);
} else if (app && typeof app.handle === 'function') {
  app.all('/api/items', (req, res) => res.send('ok'));
  app.listen(port, '127.0.0.1', ready);
} else {
  process.stdout.write('no application\n');
  process.exit(3);
}
setTimeout(() => process.exit(0), MAX_LIFE_MS).unref();
