import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricSources {
  queueDepth: () => number;
  inflight: () => number;
  /** tfjs tensors alive (tf.memory().numTensors); a rising value means a leak. */
  tensorsAlive?: () => number;
}

export interface ServeMetrics {
  registry: Registry;
  observeRequest(route: string, method: string, status: number, seconds: number): void;
}

/** One registry per app (not prom-client's global one), so several apps in one process do not collide. */
export function createMetrics(sources: MetricSources): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'imgcap_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'imgcap_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('imgcap_caption_queue_depth', 'Caption jobs waiting for a slot', sources.queueDepth);
  gauge('imgcap_caption_inflight', 'Caption jobs running', sources.inflight);
  if (sources.tensorsAlive) {
    gauge('imgcap_tfjs_tensors_alive', 'tfjs tensors currently allocated', sources.tensorsAlive);
  }
  return {
    registry,
    observeRequest(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route }, seconds);
    },
  };
}
