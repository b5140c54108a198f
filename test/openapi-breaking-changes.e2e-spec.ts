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

/** Runs the gate on the baseline and a changed copy of it. */
function gate(change: (doc: Doc) => void, changelog = V1_CHANGELOG): { status: number | null; output: string } {
  const doc: Doc = JSON.parse(baseline);
  change(doc);
  writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
  writeFileSync(join(dir, 'CHANGELOG.md'), changelog);
  const run = spawnSync(
    process.execPath,
    [resolve(root, 'scripts/check-breaking-changes.mjs'), '--current', join(dir, 'openapi.json'), '--changelog', join(dir, 'CHANGELOG.md')],
    { encoding: 'utf8' },
  );
  return { status: run.status, output: run.stdout + run.stderr };
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

  it('lets a breaking change through only as a new major version recorded in CHANGELOG.md', () => {
    const toV2 = (doc: Doc) => {
      doc.paths['/v2/me'] = doc.paths['/v1/me'];
      delete doc.paths['/v1/me'];
    };
    expect(gate(toV2).status).toBe(1);
    expect(gate(toV2, `${V1_CHANGELOG}\n## [API v2] - 2027-01-01\n### Removed\n- /v1/me\n`).status).toBe(0);
  });
});
