// Serves one Koa application with the @koa/cors options given as JSON on the command line, on 127.0.0.1:PORT.
// The options are data (parsed as JSON, never evaluated); the process ends by itself after MAX_LIFE_MS.
const Koa = require('koa');
const cors = require('@koa/cors');

const [port, options] = [Number(process.argv[2]), JSON.parse(process.argv[3])];
const MAX_LIFE_MS = 60000;
const app = new Koa();
app.use(cors(options));
app.use(async (ctx) => {
  if (ctx.path === '/api/missing') { ctx.status = 404; ctx.body = 'missing'; return; }
  ctx.body = 'ok';
});
const server = app.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
setTimeout(() => server.close(() => process.exit(0)), MAX_LIFE_MS).unref();
