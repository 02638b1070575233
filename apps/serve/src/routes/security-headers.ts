import { createHash } from 'node:crypto';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** CSP hash sources of a page's inline `<script>` and `<style>` blocks, so they run without 'unsafe-inline'. */
export function inlineHashes(html: string, tag: 'script' | 'style'): string[] {
  const blocks = [...html.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
  return blocks.map((block) => `'sha256-${createHash('sha256').update(block).digest('base64')}'`);
}

/**
 * The usual security headers on every answer (@fastify/helmet): nosniff, no framing, no referrer leaks, and a
 * Content-Security-Policy that lets the page run exactly its own inline script and style, its modules from this
 * origin, ONNX Runtime Web's WebAssembly ('wasm-unsafe-eval'), and show the picked image (blob:). Registered on the
 * app itself (not inside a child plugin), so its hooks cover every route.
 */
export async function registerSecurityHeaders(app: FastifyInstance, page: string): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'wasm-unsafe-eval'", ...inlineHashes(page, 'script')],
        styleSrc: ["'self'", ...inlineHashes(page, 'style')],
        imgSrc: ["'self'", 'blob:', 'data:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
}
