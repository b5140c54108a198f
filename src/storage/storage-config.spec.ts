import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, envSchema, loadConfig } from '../config/app-config';

function problemsOf(raw: Record<string, string>): string[] {
  try {
    loadConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe('storage and image configuration', () => {
  it('defaults to local disk under data/uploads, 5 MiB and 40 megapixels', () => {
    const config = loadConfig({});
    expect(config.storage).toMatchObject({ driver: 'local', localDir: 'data/uploads', publicBaseUrl: undefined });
    expect(config.storage.s3).toMatchObject({ region: 'us-east-1', forcePathStyle: false, endpoint: undefined });
    expect(config.images).toEqual({ maxBytes: 5 * 1024 * 1024, maxPixels: 40_000_000 });
  });

  it('requires the bucket and credentials for the S3 driver, naming each missing variable', () => {
    expect(problemsOf({ STORAGE_DRIVER: 's3' })).toEqual([
      'S3_BUCKET: required when STORAGE_DRIVER=s3',
      'S3_ACCESS_KEY_ID: required when STORAGE_DRIVER=s3',
      'S3_SECRET_ACCESS_KEY: required when STORAGE_DRIVER=s3',
    ]);
    expect(problemsOf({ STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'key' })).toEqual([
      'S3_SECRET_ACCESS_KEY: required when STORAGE_DRIVER=s3',
    ]);
  });

  it('reads a complete S3 configuration', () => {
    const config = loadConfig({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'emporium-media',
      S3_REGION: 'eu-central-1',
      S3_ENDPOINT: 'http://minio.internal:9000',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'true',
      STORAGE_PUBLIC_BASE_URL: 'https://cdn.example.com/media/',
    });
    expect(config.storage).toEqual({
      driver: 's3',
      localDir: 'data/uploads',
      publicBaseUrl: 'https://cdn.example.com/media',
      s3: {
        bucket: 'emporium-media',
        region: 'eu-central-1',
        endpoint: 'http://minio.internal:9000',
        accessKeyId: 'key',
        secretAccessKey: 'secret',
        forcePathStyle: true,
      },
    });
  });

  it.each([
    [{ STORAGE_DRIVER: 'ftp' }, 'STORAGE_DRIVER: expected local or s3'],
    [{ S3_ENDPOINT: 'minio:9000' }, 'S3_ENDPOINT: expected an http:// or https:// URL'],
    [{ S3_BUCKET: 'Bad_Bucket' }, 'S3_BUCKET: expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)'],
    [{ S3_FORCE_PATH_STYLE: 'yes' }, 'S3_FORCE_PATH_STYLE: expected true or false'],
    [{ STORAGE_PUBLIC_BASE_URL: 'ftp://files' }, 'STORAGE_PUBLIC_BASE_URL: expected an http:// or https:// URL'],
    [{ IMAGE_MAX_BYTES: '10' }, 'IMAGE_MAX_BYTES: expected at least 1024'],
    [{ IMAGE_MAX_PIXELS: 'many' }, 'IMAGE_MAX_PIXELS: expected a whole number'],
  ])('rejects %j naming the variable', (raw, problem) => {
    expect(problemsOf(raw)).toEqual([problem]);
  });

  it('documents every storage and image variable in .env.example and the README table', () => {
    const names = Object.keys(envSchema.shape).filter((name) => /^(STORAGE|S3|IMAGE)_/.test(name));
    expect(names).toHaveLength(11);
    const example = readFileSync('.env.example', 'utf8');
    const readme = readFileSync('README.md', 'utf8');
    for (const name of names) {
      expect(example, name).toMatch(new RegExp(`^# ${name}=`, 'm'));
      expect(readme, name).toContain(`| \`${name}\` |`);
    }
  });
});
