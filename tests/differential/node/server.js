// Serves one Express application with the cors() options given as JSON on the command line, on 127.0.0.1:PORT.
// The options are data (parsed as JSON, never evaluated); the process ends by itself after MAX_LIFE_MS.
const express = require('express');
const cors = require('cors');

const [port, options] = [Number(process.argv[2]), JSON.parse(process.argv[3])];
const MAX_LIFE_MS = 60000;
const app = express();
app.use(cors(options));
app.all('/api/items', (req, res) => res.send('ok'));
app.get('/api/missing', (req, res) => res.status(404).send('missing'));
const server = app.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
setTimeout(() => server.close(() => process.exit(0)), MAX_LIFE_MS).unref();
