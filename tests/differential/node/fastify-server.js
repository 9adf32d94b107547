// Serves one Fastify application with the @fastify/cors options given as JSON on the command line, on 127.0.0.1:PORT.
// The options are data (parsed as JSON, never evaluated); the process ends by itself after MAX_LIFE_MS.
const fastify = require('fastify')();
const cors = require('@fastify/cors');

const [port, options] = [Number(process.argv[2]), JSON.parse(process.argv[3])];
const MAX_LIFE_MS = 60000;
fastify.register(cors, options);
fastify.route({ method: ['GET', 'PUT', 'POST'], url: '/api/items', handler: async () => 'ok' });
fastify.get('/api/missing', async (request, reply) => reply.code(404).send('missing'));
fastify.listen({ port, host: '127.0.0.1' }).then(() => process.stdout.write('ready\n'));
setTimeout(() => fastify.close().then(() => process.exit(0)), MAX_LIFE_MS).unref();
