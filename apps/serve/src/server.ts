import { Command, InvalidArgumentError, Option } from 'commander';
import type { FastifyInstance } from 'fastify';
import { BACKEND_CHOICES } from '@imgcap/tf-runtime/backend-choices';
import { buildApp } from './app.js';
import { browserModelFromBundle } from './browser/browser-model.js';
import {
  ENGINE_CHOICES,
  loadCaptionService as loadModelService,
  type CaptionService,
  type EngineChoice,
  type LoadServiceOptions,
} from './caption-service.js';
import { DEFAULT_LIMITS, DEFAULT_MAX_BATCH, type ServeLimits } from './limits.js';

export interface ServerConfig {
  modelDir: string;
  port: number;
  host: string;
  backend?: string;
  /** Inference engine; absent = auto (ONNX Runtime unless tfjs runs on tfjs-node). */
  engine?: EngineChoice;
  /** Largest micro-batch of concurrent captions; absent = DEFAULT_MAX_BATCH. */
  maxBatch?: number;
  /** pino level: fatal, error, warn, info, debug, trace or silent. Default info. */
  logLevel?: string;
  limits: Partial<ServeLimits>;
}

function integer(flag: string, min: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}; got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
}

/** The admission and size limits as flags: flag, ServeLimits field, help, smallest value. */
const LIMIT_FLAGS: [flag: string, field: keyof ServeLimits, help: string, min: number][] = [
  ['--max-inflight', 'maxInflight', 'caption jobs run at once', 1],
  ['--max-queue', 'maxQueue', 'caption jobs waiting; beyond: 503', 0],
  ['--queue-timeout-ms', 'queueTimeoutMs', 'longest wait for a slot', 1],
  ['--caption-timeout-ms', 'captionTimeoutMs', 'longest caption request', 1],
  ['--max-upload-bytes', 'maxUploadBytes', 'largest upload (413 beyond)', 1],
  ['--max-pixels', 'maxPixels', 'largest image in pixels (413 beyond)', 1],
  [
    '--max-uploads',
    'maxUploads',
    'caption requests being received or served at once; beyond: 503 before reading the body',
    1,
  ],
  ['--body-timeout-ms', 'bodyTimeoutMs', 'longest a request body may take to arrive (408 beyond)', 1],
];

/** Reads the command line (`argv` without node and script). Unknown flags are an error. */
export function parseServerArgs(argv: string[]): ServerConfig {
  const program = new Command('imgcap-serve')
    .description('Caption HTTP server: POST /caption with a multipart field "file"')
    .requiredOption('--model <dir>', 'trained model bundle directory')
    .option('--port <n>', 'port to listen on (0: any free port)', integer('--port', 0), 8012)
    .option(
      '--host <addr>',
      'address to listen on (default: loopback only; 0.0.0.0 for every interface, as the Docker image passes)',
      '127.0.0.1',
    )
    .addOption(
      new Option('--backend <name>', 'tfjs backend (default: $IMGCAP_BACKEND, else the best available)').choices(
        BACKEND_CHOICES,
      ),
    )
    .addOption(
      new Option(
        '--engine <name>',
        'inference engine: tfjs, onnx (ONNX Runtime; same captions), or auto: onnx unless tfjs runs on tfjs-node (default: auto)',
      ).choices(ENGINE_CHOICES),
    )
    .option('--log-level <level>', 'log level (fatal, error, warn, info, debug, trace, silent)', 'info')
    .option(
      '--max-batch <n>',
      'concurrent captions with the same options run as one batch of at most N (1: off)',
      integer('--max-batch', 1),
      DEFAULT_MAX_BATCH,
    );
  for (const [flag, field, help, min] of LIMIT_FLAGS) {
    program.option(`${flag} <n>`, help, integer(flag, min), DEFAULT_LIMITS[field]);
  }
  program.exitOverride().configureOutput({ writeErr: (text) => process.stderr.write(text) });
  const o = program.parse(argv, { from: 'user' }).opts();
  const limits = Object.fromEntries(LIMIT_FLAGS.map(([, field]) => [field, o[field]])) as Partial<ServeLimits>;
  return {
    modelDir: o.model,
    port: o.port,
    host: o.host,
    backend: o.backend,
    engine: o.engine,
    maxBatch: o.maxBatch,
    logLevel: o.logLevel,
    limits,
  };
}

export interface RunningServer {
  app: FastifyInstance;
  /** Base URL, e.g. http://127.0.0.1:8012. */
  url: string;
  /** Readiness → 503, finish in-flight captions, stop listening, release the model. */
  shutdown(): Promise<void>;
}

export type ServiceLoader = (modelDir: string, options: LoadServiceOptions) => Promise<CaptionService>;

/**
 * Listens first (so /healthz answers and /readyz says 503 while the model loads), then loads and warms the caption
 * service (its engine as `--engine` chose) and flips readiness.
 */
export async function startServer(
  config: ServerConfig,
  loadCaptionService: ServiceLoader = loadModelService,
): Promise<RunningServer> {
  const app = await buildApp({
    limits: config.limits,
    logger: { level: config.logLevel ?? 'info' },
    browserModel: browserModelFromBundle(config.modelDir),
  });
  const address = await app.listen({ port: config.port, host: config.host });
  let service: CaptionService | undefined;
  const shutdown = async () => {
    await app.serving.drain();
    await app.close();
    service?.dispose();
  };
  try {
    service = await loadCaptionService(config.modelDir, {
      backend: config.backend,
      engine: config.engine,
      maxBatch: config.maxBatch ?? DEFAULT_MAX_BATCH,
    });
  } catch (err) {
    await app.close();
    throw err;
  }
  app.serving.attachService(service);
  app.log.info(
    {
      modelDir: config.modelDir,
      architecture: service.architecture,
      imageSize: service.imageSize,
      engine: service.engine,
      backboneWeights: service.backboneWeights,
    },
    'model loaded; ready',
  );
  return { app, url: address, shutdown };
}

/** SIGTERM/SIGINT drain and exit 0; a second signal exits at once with 1. */
export function exitOnSignals(server: RunningServer): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    server.app.log.info({ signal }, 'draining');
    server.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
