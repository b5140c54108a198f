import { Body, Controller, HttpCode, Module, Post, Req, Res } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { getDataSourceToken } from '@nestjs/typeorm';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppModule } from '../src/app.module';
import { createApp } from '../src/app';
import { Public } from '../src/auth/decorators';
import { RuleViolationError } from '../src/common/problem/app-error';
import { ApiProblemResponses } from '../src/common/problem/problem.openapi';
import { Idempotent, idempotencyKeyOf, IdempotencyService, requestFingerprint } from '../src/idempotency';
import { IdempotencyKey } from '../src/idempotency/idempotency-key.entity';
import { Purges } from '../src/housekeeping/purges';
import { PaymentProviders, PaymentsProvidersModule, signTestWebhook } from '../src/payments/providers';
import { signUp, SignedInUser } from './support/factories';
import { expectProblem } from './support/problem';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The idempotency interceptor, exercised through a test-only controller that the test adds to the
 * real AppModule (no test code in src/), and the raw-body parser of payment webhooks through a
 * probe route under /v1/payments/webhooks/.
 */

/** How many times the handler body ran, per `name` in the request: the side effect to count. */
const runs = new Map<string, number>();

class CreateThingDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'thing' })
  @IsString()
  name: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 5000, example: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(5000)
  delayMs?: number;

  @ApiPropertyOptional({ enum: ['ok', 'rule', 'crash'], example: 'ok' })
  @IsOptional()
  @IsIn(['ok', 'rule', 'crash'])
  outcome?: 'ok' | 'rule' | 'crash';
}

class ThingDto {
  @ApiProperty({ format: 'uuid', minLength: 36, maxLength: 36 })
  id: string;

  @ApiProperty({ minLength: 1, maxLength: 100 })
  name: string;

  @ApiProperty({ minLength: 1, maxLength: 255 })
  key: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  run: number;
}

class RawProbeDto {
  @ApiProperty()
  hasRawBody: boolean;
}

class ProbeEventDto {
  @ApiProperty() id: string;
  @ApiProperty() type: string;
  @ApiProperty() orderId: string;
  @ApiProperty() reference: string;
  @ApiProperty({ type: 'integer' }) amount: number;
  @ApiProperty() currency: string;
}

class WebhookProbeDto {
  @ApiProperty({ type: 'integer' })
  rawBodyBytes: number;

  @ApiProperty({ pattern: '^[0-9a-f]{64}$' })
  rawBodySha256: string;

  @ApiProperty({ type: ProbeEventDto })
  event: ProbeEventDto;
}

const LOCATION = { description: 'Path of the thing.', required: true, schema: { type: 'string' as const } };

@ApiTags('Test')
@Controller({ path: 'idempotency-test', version: '1' })
class IdempotencyTestController {
  @Post('things')
  @Public({ identifyCaller: true })
  @Idempotent()
  @ApiOperation({ operationId: 'createTestThing', summary: 'Test only: a POST with a countable side effect' })
  @ApiCreatedResponse({ type: ThingDto, description: 'Created.', headers: { Location: LOCATION } })
  @ApiProblemResponses(400, 422, 429)
  async create(@Body() body: CreateThingDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ThingDto> {
    const run = (runs.get(body.name) ?? 0) + 1;
    runs.set(body.name, run);
    if (body.delayMs) await sleep(body.delayMs);
    if (body.outcome === 'rule') throw new RuleViolationError(`Rule broken on run ${run}.`);
    if (body.outcome === 'crash') throw new Error('boom');
    const id = randomUUID();
    void reply.header('location', `/v1/idempotency-test/things/${id}`);
    return { id, name: body.name, key: idempotencyKeyOf(request), run };
  }

  @Post('raw')
  @Public()
  @HttpCode(200)
  @ApiOperation({ operationId: 'probeRawBody', summary: 'Test only: whether a non-webhook route gets the raw body' })
  @ApiBody({ description: 'Any JSON.', schema: { type: 'object', additionalProperties: true } })
  @ApiOkResponse({ type: RawProbeDto, description: 'Probe result.' })
  @ApiProblemResponses(400, 415, 429)
  raw(@Req() request: FastifyRequest): RawProbeDto {
    return { hasRawBody: request.rawBody !== undefined };
  }
}

@ApiTags('Test')
@Controller({ path: 'payments/webhooks/_probe', version: '1' })
class WebhookProbeController {
  constructor(private readonly providers: PaymentProviders) {}

  @Post('test')
  @Public()
  @HttpCode(200)
  @ApiOperation({ operationId: 'probeWebhook', summary: 'Test only: verifies a test-provider webhook on the raw body' })
  @ApiBody({ description: 'A signed test-provider event.', schema: { type: 'object', additionalProperties: true } })
  @ApiOkResponse({ type: WebhookProbeDto, description: 'The verified event.' })
  @ApiProblemResponses(400, 415, 429)
  probe(@Req() request: FastifyRequest): WebhookProbeDto {
    const rawBody = request.rawBody;
    if (!rawBody) throw new Error('no raw body');
    const event = this.providers.get('test').parseWebhook(rawBody, request.headers);
    return { rawBodyBytes: rawBody.length, rawBodySha256: createHash('sha256').update(rawBody).digest('hex'), event };
  }
}

@Module({ imports: [PaymentsProvidersModule], controllers: [IdempotencyTestController, WebhookProbeController] })
class IdempotencyTestModule {}

// Every app this file builds is the real AppModule plus the test module above.
const forRoot = AppModule.forRoot.bind(AppModule);
vi.spyOn(AppModule, 'forRoot').mockImplementation((...args: Parameters<typeof AppModule.forRoot>) => {
  const root = forRoot(...args);
  return { ...root, imports: [...(root.imports ?? []), IdempotencyTestModule] };
});

const THINGS = '/v1/idempotency-test/things';
let sequence = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;

describe('idempotency', () => {
  let t: TestApp;
  let alice: SignedInUser;
  let bob: SignedInUser;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await signUp(t);
    bob = await signUp(t);
  });
  afterAll(() => t.close());

  const post = (key: string | undefined, body: Record<string, unknown>, options: { token?: string; headers?: Record<string, string> } = {}) =>
    t.request('POST', THINGS, { body, token: options.token, headers: { ...(key === undefined ? {} : { 'idempotency-key': key }), ...options.headers } });

  it('runs the handler once for 20 parallel requests with one key; the others get 409 or the replay', async () => {
    const key = randomUUID();
    const body = { name: unique('parallel'), delayMs: 300 };
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(key, body, { token: alice.accessToken })));
    expect(runs.get(body.name)).toBe(1);
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    const fresh = responses.filter((response) => response.status === 201 && response.headers.get('idempotent-replayed') === null);
    expect(fresh).toHaveLength(1);
    for (const response of responses.filter((r) => r.status === 409)) {
      expectProblem(response, 409);
      expect(response.body.detail).toMatch(/still being processed/);
    }
    for (const response of responses.filter((r) => r.status === 201)) expect(response.body).toEqual(fresh[0].body);

    // Once it finished, the same request gets the first answer again: status, body, Location.
    const replay = await post(key, body, { token: alice.accessToken });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(fresh[0].body);
    expect(replay.body).toMatchObject({ key, run: 1 });
    expect(replay.headers.get('location')).toBe(fresh[0].headers.get('location'));
    expect(runs.get(body.name)).toBe(1);
  });

  it('answers 422 to the same key with another body, path being equal', async () => {
    const key = randomUUID();
    const name = unique('other-body');
    expect((await post(key, { name }, { token: alice.accessToken })).status).toBe(201);
    const other = await post(key, { name: `${name}-changed` }, { token: alice.accessToken });
    expectProblem(other, 422);
    expect(other.body.detail).toMatch(/different request/);
    expect(runs.get(`${name}-changed`)).toBeUndefined();
    // Key order does not make a body different.
    const reordered = await t.request('POST', THINGS, { token: alice.accessToken, rawBody: `{"delayMs":0,"name":"${name}"}`, headers: { 'content-type': 'application/json', 'idempotency-key': key } });
    expect(reordered.status).toBe(422); // delayMs: 0 is a member the first body did not have
    const same = await t.request('POST', THINGS, { token: alice.accessToken, rawBody: `{ "name" : "${name}" }`, headers: { 'content-type': 'application/json', 'idempotency-key': key } });
    expect(same.status).toBe(201);
    expect(same.headers.get('idempotent-replayed')).toBe('true');
  });

  it('requires a key of 1 to 255 visible ASCII characters (400 naming Idempotency-Key)', async () => {
    const name = unique('keys');
    for (const key of [undefined, 'x'.repeat(256), 'has space']) {
      const response = await post(key, { name });
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.stringContaining('Idempotency-Key') }]);
    }
    expect(runs.get(name)).toBeUndefined();
    const longest = await post('k'.repeat(255), { name });
    expect(longest.status).toBe(201);
    expect(longest.body.key).toBe('k'.repeat(255));
  });

  it('keeps the keys of different callers apart: users, guest carts, anonymous', async () => {
    const key = randomUUID();
    const name = unique('callers');
    const answers = [
      await post(key, { name }, { token: alice.accessToken }),
      await post(key, { name }, { token: bob.accessToken }),
      await post(key, { name }, { headers: { 'x-cart-token': 'cart-token-one' } }),
      await post(key, { name }, { headers: { 'x-cart-token': 'cart-token-two' } }),
      await post(key, { name }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201]);
    expect(answers.every((answer) => answer.headers.get('idempotent-replayed') === null)).toBe(true);
    expect(runs.get(name)).toBe(5);
    // Each caller's own key replays its own answer; another caller's different body is no 422 for them.
    const again = await post(key, { name }, { token: bob.accessToken });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(answers[1].body.id);
    expect((await post(key, { name: `${name}-x` }, { headers: { 'x-cart-token': 'cart-token-three' } })).status).toBe(201);
  });

  it('replays a recorded client error without running the handler again', async () => {
    const key = randomUUID();
    const body = { name: unique('rule'), outcome: 'rule' };
    const first = await post(key, body, { token: alice.accessToken });
    expectProblem(first, 422);
    const second = await post(key, body, { token: alice.accessToken });
    expectProblem(second, 422);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual({ ...first.body, requestId: second.headers.get('x-request-id') });
    expect(runs.get(body.name)).toBe(1);
  });

  it('does not spend the key on a request refused by validation: the corrected request with the same key runs', async () => {
    const key = randomUUID();
    const first = await post(key, { name: 42 }, { token: alice.accessToken });
    expectProblem(first, 400);
    const again = await post(key, { name: 42 }, { token: alice.accessToken });
    expectProblem(again, 400);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    const name = unique('corrected');
    const corrected = await post(key, { name }, { token: alice.accessToken });
    expect(corrected.status).toBe(201);
    expect(corrected.headers.get('idempotent-replayed')).toBeNull();
    expect(runs.get(name)).toBe(1);
  });

  it('gives the key back after a server error, so a retry runs again', async () => {
    const key = randomUUID();
    const body = { name: unique('crash'), outcome: 'crash' };
    expectProblem(await post(key, body, { token: alice.accessToken }), 500);
    const retry = await post(key, body, { token: alice.accessToken });
    expectProblem(retry, 500);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(runs.get(body.name)).toBe(2);
  });

  describe('stale claims', () => {
    const dataSource = () => t.app.get<DataSource>(getDataSourceToken());
    const age = (key: string, seconds: number) =>
      dataSource()
        .createQueryBuilder()
        .update(IdempotencyKey)
        .set({ lockedAt: new Date(Date.now() - seconds * 1000) })
        .where('idem_key = :key', { key })
        .execute();

    it('takes over a claim whose request never finished (a crashed process) once the lock timed out', async () => {
      const key = randomUUID();
      const body = { name: unique('stale') };
      const service = t.get(IdempotencyService);
      const claimed = await service.claim('anonymous', key, requestFingerprint('POST', THINGS, body));
      expect(claimed.kind).toBe('claimed');
      expectProblem(await post(key, body), 409); // still within the lock timeout
      await age(key, t.config.idempotency.lockTimeoutSeconds + 5);
      const taken = await post(key, body);
      expect(taken.status).toBe(201);
      expect(taken.headers.get('idempotent-replayed')).toBeNull();
      expect(runs.get(body.name)).toBe(1);
      // The crashed owner's late completion cannot overwrite the new owner's answer.
      if (claimed.kind === 'claimed') expect(await service.complete(claimed.claim, { status: 201, body: { late: true }, headers: {} })).toBe(false);
      expect((await post(key, body)).body).toEqual(taken.body);
    });

    it('lets exactly one of many concurrent takers win', async () => {
      const key = randomUUID();
      const hash = requestFingerprint('POST', THINGS, { name: 'x' });
      const service = t.get(IdempotencyService);
      expect((await service.claim('anonymous', key, hash)).kind).toBe('claimed');
      await age(key, t.config.idempotency.lockTimeoutSeconds + 5);
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => service.claim('anonymous', key, hash)));
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected').every((outcome) => /still being processed/.test(String(outcome.reason)))).toBe(true);
    });

    it('treats an expired key as unused and purges expired keys', async () => {
      const key = randomUUID();
      const body = { name: unique('expired') };
      expect((await post(key, body)).status).toBe(201);
      await dataSource().createQueryBuilder().update(IdempotencyKey).set({ expiresAt: new Date(Date.now() - 1000) }).where('idem_key = :key', { key }).execute();
      const again = await post(key, body);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      expect(runs.get(body.name)).toBe(2);
      await dataSource().createQueryBuilder().update(IdempotencyKey).set({ expiresAt: new Date(Date.now() - 1000) }).where('idem_key = :key', { key }).execute();
      const purged = await t.get(Purges).tick(new Date(Date.now() + 3_600_000));
      expect(purged?.idempotency_keys).toBeGreaterThanOrEqual(1);
      expect(await dataSource().getRepository(IdempotencyKey).count({ where: { idemKey: key } })).toBe(0);
    });
  });

  it('holds across two app instances on one database', async () => {
    const second: NestFastifyApplication = await createApp(t.config);
    await second.listen({ port: 0, host: '127.0.0.1' });
    try {
      const otherUrl = (await second.getUrl()).replace('[::1]', '127.0.0.1');
      const key = randomUUID();
      const body = { name: unique('instances'), delayMs: 300 };
      const send = (base: string) =>
        fetch(base + THINGS, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: `Bearer ${alice.accessToken}` }, body: JSON.stringify(body) });
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i % 2 ? otherUrl : t.baseUrl)));
      expect(runs.get(body.name)).toBe(1);
      expect(responses.every((response) => response.status === 201 || response.status === 409)).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('documents the header, the problems and the replay header in the OpenAPI document', async () => {
    const document = (await t.request('GET', '/docs/openapi.json')).body;
    const operation = document.paths[THINGS].post;
    // Declared once in components.parameters, as every operation taking it declares it alike.
    expect(operation.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    expect(document.components.parameters.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header', required: true });
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['201', '400', '409', '422']));
    expect(operation.responses['422'].description).toMatch(/different request/);
    expect(operation.responses['201'].headers).toHaveProperty('Idempotent-Replayed');
  });
});

describe('raw bodies of payment webhooks', () => {
  let t: TestApp;
  const secret = 'whsec_e2e_0123456789abcdef';
  const WEBHOOK = '/v1/payments/webhooks/_probe/test';

  beforeAll(async () => {
    t = await startTestApp({ PAYMENTS_TEST_WEBHOOK_SECRET: secret });
  });
  afterAll(() => t.close());

  const payload = (id: string) =>
    // Odd spacing and key order on purpose: the signature covers these exact bytes.
    `{ "type":"payment.succeeded",  "id":"${id}", "data": {"amount": 2499, "currency":"EUR", "orderId":"0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e","reference":"testpay_1"} }\n`;

  it('gives webhook routes the exact bytes, so a signature over them verifies', async () => {
    const body = payload('evt_raw_1');
    const response = await t.request('POST', WEBHOOK, { rawBody: body, headers: { 'content-type': 'application/json', 'emporium-signature': signTestWebhook(body, secret) } });
    expect(response.status).toBe(200);
    expect(response.body.rawBodyBytes).toBe(Buffer.byteLength(body));
    expect(response.body.rawBodySha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(response.body.event).toEqual({ id: 'evt_raw_1', type: 'payment.succeeded', orderId: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e', reference: 'testpay_1', amount: 2499, currency: 'EUR' });
  });

  it('refuses a bad signature, an old timestamp and a missing header with 400', async () => {
    const body = payload('evt_raw_2');
    const send = (headers: Record<string, string>) => t.request('POST', WEBHOOK, { rawBody: body, headers: { 'content-type': 'application/json', ...headers } });
    const bad = await send({ 'emporium-signature': signTestWebhook(body, 'not-the-secret-0123456789') });
    expectProblem(bad, 400);
    expect(bad.body.type).toBe('urn:emporium:problem:invalid-signature');
    const old = await send({ 'emporium-signature': signTestWebhook(body, secret, Math.floor(Date.now() / 1000) - t.config.payments.webhookToleranceSeconds - 10) });
    expectProblem(old, 400);
    expect(old.body.detail).toMatch(/seconds away from now/);
    expectProblem(await send({}), 400);
    const tampered = await t.request('POST', WEBHOOK, {
      rawBody: body.replace('2499', '1'),
      headers: { 'content-type': 'application/json', 'emporium-signature': signTestWebhook(body, secret) },
    });
    expectProblem(tampered, 400);
    expect(tampered.body.detail).toMatch(/does not match/);
  });

  it('keeps the raw body off other routes', async () => {
    const response = await t.request('POST', '/v1/idempotency-test/raw', { body: { a: 1 } });
    expect(response.status).toBe(200);
    expect(response.body.hasRawBody).toBe(false);
  });

  it.each([WEBHOOK, '/v1/idempotency-test/raw'])('keeps Fastify\'s JSON errors and prototype-poisoning protection on %s', async (path) => {
    const send = (rawBody: string) => t.request('POST', path, { rawBody, headers: { 'content-type': 'application/json' } });
    const invalid = await send('{"id": ');
    expectProblem(invalid, 400);
    expect(invalid.body.detail).toBe('The request body is not valid JSON.');
    const empty = await send('');
    expectProblem(empty, 400);
    expect(empty.body.detail).toBe('The request declares a JSON body but sends none.');
    expectProblem(await send('{"__proto__": {"polluted": true}}'), 400);
    expectProblem(await send('{"constructor": {"prototype": {"polluted": true}}}'), 400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expectProblem(await t.request('POST', path, { rawBody: '{}', headers: { 'content-type': 'text/plain' } }), 415);
  });
});
