import multipart from '@fastify/multipart';
import { Logger as NestLogger, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Logger } from 'nestjs-pino';
import helmet from 'helmet';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { sendProblem } from './common/problem/problem-details.filter';
import { createValidationPipe } from './common/validation/validation.pipe';
import { AppConfig } from './config/app-config';
import { installRequestObservability } from './observability/http-observability';
import { MetricsService } from './observability/metrics.service';
import { ROOT_LOGGER } from './observability/observability.module';
import { buildOpenApiDocument, setupSwaggerUi } from './openapi/openapi';
import { keepRawBodyOfWebhooks } from './payments/providers/webhook-raw-body';

const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a caller's X-Request-Id when it is well-formed, otherwise makes one. */
function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && WELL_FORMED_REQUEST_ID.test(given) ? given : randomUUID();
  (request as IncomingMessage & { id?: string }).id = id;
  return id;
}

/**
 * helmet's default security headers, computed once: with no per-request options they never
 * change, and @fastify/helmet rebuilt the whole middleware chain on every request (6% of a
 * cached read). Running helmet itself once against a recorder keeps exactly its header set.
 */
function staticSecurityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: () => undefined,
  };
  helmet()({} as IncomingMessage, recorder as never, () => undefined);
  return headers;
}

export interface CreateAppOptions {
  /** Builds without opening the database, for generating the OpenAPI document. */
  preview?: boolean;
  /** Where log lines go instead of stdout; tests read them from here. */
  logDestination?: DestinationStream;
}

/** Builds the HTTP application with every production behaviour on; main.ts, the tests and the OpenAPI writer share it. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    requestTimeout: config.http.requestTimeoutMs,
    genReqId: requestIdOf,
    logger: false,
    return503OnClosing: true,
    // Malformed URLs are rejected before routing, hooks and Nest's filter; answer them as problems too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(error, request, reply, new NestLogger('Problem')),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.logDestination), adapter, {
    bufferLogs: true,
    // Fastify's own JSON parser stays; Nest would add form-urlencoded, which this API does not take.
    bodyParser: false,
    preview: options.preview,
    abortOnError: false,
  });
  app.enableVersioning({ type: VersioningType.URI, prefix: 'v' });
  app.useGlobalPipes(createValidationPipe());
  app.enableCors({
    origin: config.http.corsOrigins.length > 0 ? config.http.corsOrigins : false,
    credentials: false,
    exposedHeaders: ['X-Request-Id', 'ETag', 'Location', 'Link', 'Retry-After'],
    maxAge: 600,
  });
  // multipart/form-data for image uploads only: files stream through busboy, and the limits stop
  // an oversized file while it arrives (413) instead of buffering it; bodyLimit does not apply here.
  await app.register(multipart, {
    limits: { fileSize: config.images.maxBytes, files: 1, fields: 4, parts: 5, fieldSize: 1024, fieldNameSize: 100, headerPairs: 100 },
    throwFileSizeLimit: true,
  });

  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: a text/plain body is answered 415 instead of reaching validation as a string.
  fastify.removeContentTypeParser('text/plain');
  // Payment webhooks are verified against their exact bytes: kept as request.rawBody on those routes only.
  keepRawBodyOfWebhooks(fastify);
  const securityHeaders = staticSecurityHeaders();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(securityHeaders);
    void reply.header('x-request-id', request.id);
    done();
  });

  if (!options.preview) {
    app.useLogger(app.get(Logger));
    installRequestObservability(fastify, app.get(ROOT_LOGGER), app.get(MetricsService));
  }
  setupSwaggerUi(app, buildOpenApiDocument(app));
  return app;
}
