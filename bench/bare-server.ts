/** The ceiling for single requests: a bare Fastify route that parses a JSON body and answers. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
let next = 0;
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/bare', async (request) => {
  next += 1;
  return { item_uid: next, has_dublicates: typeof request.body !== 'object' };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
