import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

type Doc = any;

const root = resolve(__dirname, '..');
const baseline = readFileSync(resolve(root, 'openapi.baseline.json'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'emporium-breaking-'));
const V1_CHANGELOG = '# Changelog\n\n## [Unreleased]\n\n## [API v1] - 2026-11-28\n';

/** Runs the gate on the baseline (optionally changed first) and a changed copy of it. */
function gate(change: (doc: Doc) => void, changelog = V1_CHANGELOG, changeBaseline: (doc: Doc) => void = () => undefined): { status: number | null; output: string } {
  const before: Doc = JSON.parse(baseline);
  changeBaseline(before);
  const doc: Doc = structuredClone(before);
  change(doc);
  writeFileSync(join(dir, 'baseline.json'), JSON.stringify(before));
  writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
  writeFileSync(join(dir, 'CHANGELOG.md'), changelog);
  const run = spawnSync(
    process.execPath,
    [
      resolve(root, 'scripts/check-breaking-changes.mjs'),
      ...['--baseline', join(dir, 'baseline.json'), '--current', join(dir, 'openapi.json'), '--changelog', join(dir, 'CHANGELOG.md')],
    ],
    { encoding: 'utf8' },
  );
  return { status: run.status, output: run.stdout + run.stderr };
}

const PROBLEM = '#/components/schemas/ProblemDto';

/** A problem type's schema as the document publishes it: ProblemDto with its `type` pinned and members of its own. */
const problemTypeSchema = (type: string, members: Record<string, unknown> = {}) => ({
  description: type,
  allOf: [
    { $ref: PROBLEM },
    { type: 'object', required: Object.keys(members), properties: { type: { type: 'string', enum: [`urn:emporium:problem:${type}`] }, ...members } },
  ],
});

/** Every problem answer of GET /v1/users/{id} and POST /v1/auth/login names its problem types, as the document does. */
function problemTypesPublished(doc: Doc): void {
  const schemas = doc.components.schemas;
  schemas.ValidationProblem = problemTypeSchema('validation');
  schemas.BadRequestProblem = problemTypeSchema('bad-request');
  schemas.NotFoundProblem = problemTypeSchema('not-found', { hint: { type: 'string', maxLength: 100 } });
  schemas.Status400Problem = {
    oneOf: [{ $ref: '#/components/schemas/ValidationProblem' }, { $ref: '#/components/schemas/BadRequestProblem' }],
    discriminator: { propertyName: 'type' },
  };
  for (const operation of [doc.paths['/v1/users/{id}'].get, doc.paths['/v1/auth/login'].post]) {
    operation.responses['400'].content['application/problem+json'].schema = { $ref: '#/components/schemas/Status400Problem' };
  }
  doc.paths['/v1/users/{id}'].get.responses['404'].content['application/problem+json'].schema = { $ref: '#/components/schemas/NotFoundProblem' };
}

describe('breaking-change gate (scripts/check-breaking-changes.mjs)', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the baseline itself and additive changes', () => {
    expect(gate(() => undefined).status).toBe(0);
    const additive = gate((doc) => {
      doc.components.schemas.UserDto.properties.nickname = { type: 'string', maxLength: 50 };
      doc.paths['/v1/me'].get.description = 'Reworded.';
    });
    expect(additive.status).toBe(0);
  });

  it.each([
    ['a removed route', (doc: Doc) => delete doc.paths['/v1/me']],
    ['a removed response field', (doc: Doc) => delete doc.components.schemas.UserDto.properties.name],
    ['a removed enum value', (doc: Doc) => (doc.components.schemas.Role.enum = ['customer', 'manager', 'admin'])],
    [
      'a new required request field',
      (doc: Doc) => {
        doc.components.schemas.LoginDto.properties.otp = { type: 'string', maxLength: 6 };
        doc.components.schemas.LoginDto.required.push('otp');
      },
    ],
    ['a narrowed request limit', (doc: Doc) => (doc.components.schemas.RegisterDto.properties.name.maxLength = 50)],
    ['a narrowed query parameter', (doc: Doc) => (doc.paths['/v1/users'].get.parameters[0].schema.maximum = 50)],
    ['a changed field type', (doc: Doc) => (doc.components.schemas.TokenPairDto.properties.expiresIn.type = 'string')],
  ])('fails on %s', (_name, change) => {
    const result = gate(change);
    expect(result.status, result.output).toBe(1);
    expect(result.output).toContain('BREAKING');
  });

  it('passes problem answers that name the problem types of their status, and new problem types', () => {
    const published = gate(problemTypesPublished);
    expect(published.status, published.output).toBe(0);
    const added = gate((doc) => {
      doc.components.schemas.UnknownProblem = problemTypeSchema('unknown');
      doc.components.schemas.Status400Problem.oneOf.push({ $ref: '#/components/schemas/UnknownProblem' });
    }, V1_CHANGELOG, problemTypesPublished);
    expect(added.status, added.output).toBe(0);
  });

  it('fails on a member removed from a problem type, as on any answer', () => {
    const result = gate((doc) => {
      const own = doc.components.schemas.NotFoundProblem.allOf[1];
      delete own.properties.hint;
      own.required = [];
    }, V1_CHANGELOG, problemTypesPublished);
    expect(result.status, result.output).toBe(1);
    expect(result.output).toMatch(/BREAKING: .*hint/);
  });

  it('follows shared answers, headers and parameters in components', () => {
    const result = gate((doc) => {
      const operation = doc.paths['/v1/users/{id}'].get;
      doc.components.responses = { NotFound: operation.responses['404'] };
      operation.responses['404'] = { $ref: '#/components/responses/NotFound' };
      doc.components.parameters = { UserId: operation.parameters[0] };
      operation.parameters[0] = { $ref: '#/components/parameters/UserId' };
      doc.components.headers = { 'X-Request-Id': operation.responses['200'].headers['X-Request-Id'] };
      operation.responses['200'].headers['X-Request-Id'] = { $ref: '#/components/headers/X-Request-Id' };
    });
    expect(result.status, result.output).toBe(0);
    const narrowed = gate((doc) => {
      const operation = doc.paths['/v1/users/{id}'].get;
      doc.components.parameters = { UserId: { ...operation.parameters[0], schema: { ...operation.parameters[0].schema, maxLength: 10 } } };
      operation.parameters[0] = { $ref: '#/components/parameters/UserId' };
    });
    expect(narrowed.status, narrowed.output).toBe(1);
  });

  it('lets a breaking change through only as a new major version recorded in CHANGELOG.md', () => {
    const toV2 = (doc: Doc) => {
      doc.paths['/v2/me'] = doc.paths['/v1/me'];
      delete doc.paths['/v1/me'];
    };
    expect(gate(toV2).status).toBe(1);
    expect(gate(toV2, `${V1_CHANGELOG}\n## [API v2] - 2027-01-01\n### Removed\n- /v1/me\n`).status).toBe(0);
  });
});
