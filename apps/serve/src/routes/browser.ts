import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { BrowserModelInfo, BrowserModelSource } from '../browser/browser-model.js';
import { browserStaticFiles } from '../browser/static-files.js';

interface BrowserRouteOptions {
  /** Absent (a server built without a model directory, as in tests): the page offers server captions only. */
  model?: BrowserModelSource;
}

/**
 * What the web page needs to caption in the browser with ONNX Runtime Web: the model description, its
 * three ONNX graphs, ORT Web's wasm build, and the decoding modules. Fixed file lists only.
 */
export async function browserRoutes(app: FastifyInstance, options: BrowserRouteOptions): Promise<void> {
  const files = browserStaticFiles();
  const about = (summary: string) => ({ schema: { summary, tags: ['web page'] } });
  const noModel = { available: false, reason: 'this server has no model to hand to browsers' } as const;

  app.get(
    '/browser/model.json',
    about('The model the web page can run in the browser (ONNX Runtime Web), or why there is none'),
    async () => (options.model ? (await options.model()).info : noModel),
  );

  app.get<{ Params: { file: string } }>(
    '/browser/model/:file',
    about("One of the browser model's files named by /browser/model.json"),
    async (request, reply) => {
      const model = options.model ? await options.model() : null;
      const { file } = request.params;
      if (!model?.dir || !Object.values((model.info as BrowserModelInfo).files).includes(file)) {
        return reply
          .status(404)
          .send({ error: { code: 'not_found', message: `No browser model file ${JSON.stringify(file)}` } });
      }
      // Re-exported whenever the bundle is re-saved: revalidate rather than cache for long.
      return reply
        .type('application/octet-stream')
        .header('cache-control', 'no-cache')
        .send(createReadStream(join(model.dir, file)));
    },
  );

  app.get<{ Params: { '*': string } }>(
    '/browser/*',
    about("The page's scripts and ONNX Runtime Web's wasm build (a fixed list)"),
    async (request, reply) => {
      const file = files.get(request.params['*']);
      if (!file)
        return reply.status(404).send({ error: { code: 'not_found', message: `No route GET ${request.url}` } });
      return reply.type(file.type).header('cache-control', 'public, max-age=3600').send(createReadStream(file.path));
    },
  );
}
