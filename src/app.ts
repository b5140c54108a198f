import multipart from '@fastify/multipart';
import { Logger as NestLogger, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Logger } from 'nestjs-pino';
import helmet from 'helmet';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import { AppModule } from './app.module';
import { installJsonBodyParser } from './common/http/json-body-parser';
import { refuseMalformedQueryStrings } from './common/http/query-encoding';
import { answerConnectionError } from './common/http/connection-errors';
import { Draining, ShuttingDownError } from './common/http/draining';
import { RequestContractInterceptor } from './common/http/request-contract.interceptor';
import { ProblemLogger, sendProblem } from './common/problem/problem-details.filter';
import { createValidationPipe } from './common/validation/validation.pipe';
import { AppConfig } from './config/app-config';
import { installRequestObservability } from './observability/http-observability';
import { MetricsService } from './observability/metrics.service';
import { installRequestContext } from './observability/request-context';
import { ROOT_LOGGER } from './observability/observability.module';
import { buildOpenApiDocument, setupSwaggerUi } from './openapi/openapi';
import { WEBHOOK_PATH_PREFIX } from './payments/providers';

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

/**
 * Fastify's trustProxy for TRUST_PROXY. A hop count becomes a function trusting the nearest N
 * peers: Fastify itself now refuses plain numbers, because a client reaching the app directly can
 * then forge the header. Hop counts are only for apps reachable solely through their proxies.
 */
function trustProxyOption(trust: AppConfig['http']['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust;
}

/** The longest the request headers may take to arrive (a slowloris sends them a byte at a time). */
const HEADERS_TIMEOUT_MS = 10_000;
/**
 * How often Node checks connections against those limits. Its default, 30 s, let a slow body hold
 * a connection for twice REQUEST_TIMEOUT_MS before it was cut.
 */
const CONNECTION_CHECK_INTERVAL_MS = 1_000;

export interface CreateAppOptions {
  /** Builds without opening the database, for generating the OpenAPI document. */
  preview?: boolean;
  /** Where log lines go instead of stdout; tests read them from here. */
  logDestination?: DestinationStream;
}

/** Builds the HTTP application with every production behaviour on; main.ts, the tests and the OpenAPI writer share it. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  // Problems answered outside Nest (before routing, while draining) report through this app's logger once it exists.
  const nestLogger = new NestLogger('Problem');
  let problemLogger: ProblemLogger = { error: (details: object, message?: string) => nestLogger.error(details, message) };
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: trustProxyOption(config.http.trustProxy),
    // The whole request (headers and body) must arrive within REQUEST_TIMEOUT_MS, else 408.
    requestTimeout: config.http.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, config.http.requestTimeoutMs),
      connectionsCheckingInterval: CONNECTION_CHECK_INTERVAL_MS,
    },
    clientErrorHandler: answerConnectionError,
    genReqId: requestIdOf,
    logger: false,
    // Requests arriving while the app closes are refused by the Draining check below, as problems with Retry-After.
    return503OnClosing: false,
    // Malformed URLs are rejected before routing, hooks and Nest's filter; answer them as problems too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(error, request, reply, problemLogger),
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
  app.useGlobalInterceptors(new RequestContractInterceptor());
  app.enableCors({
    origin: config.http.corsOrigins.length > 0 ? config.http.corsOrigins : false,
    credentials: false,
    exposedHeaders: ['X-Request-Id', 'ETag', 'Location', 'Link', 'Retry-After'],
    maxAge: 600,
  });
  // First, so that everything after it, the log lines included, runs inside the request's context.
  await installRequestContext(app.getHttpAdapter().getInstance());
  // multipart/form-data for image uploads only: files stream through busboy, and the limits stop
  // an oversized file while it arrives (413) instead of buffering it; bodyLimit does not apply here.
  await app.register(multipart, {
    limits: { fileSize: config.images.maxBytes, files: 1, fields: 4, parts: 5, fieldSize: 1024, fieldNameSize: 100, headerPairs: 100 },
    throwFileSizeLimit: true,
  });

  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: a text/plain body is answered 415 instead of reaching validation as a string.
  fastify.removeContentTypeParser('text/plain');
  // Every JSON body is screened for its shape and for text that is not well-formed Unicode before it is
  // parsed; payment webhooks, verified against their exact bytes, also get them as request.rawBody.
  installJsonBodyParser(fastify, { rawBodyPathPrefix: WEBHOOK_PATH_PREFIX });
  const securityHeaders = staticSecurityHeaders();
  const draining = options.preview ? undefined : app.get(Draining);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(securityHeaders);
    void reply.header('x-request-id', request.id);
    if (draining?.isDraining) {
      void reply.header('connection', 'close');
      sendProblem(new ShuttingDownError(), request, reply, problemLogger);
      return;
    }
    done();
  });
  // After the security headers: a refused request skips the hooks that follow.
  refuseMalformedQueryStrings(fastify);

  if (!options.preview) {
    app.useLogger(app.get(Logger));
    problemLogger = app.get<PinoLogger>(ROOT_LOGGER).child({ context: 'Problem' });
    installRequestObservability(fastify, app.get(ROOT_LOGGER), app.get(MetricsService));
  }
  if (config.http.docsEnabled) setupSwaggerUi(app, buildOpenApiDocument(app));
  return app;
}
