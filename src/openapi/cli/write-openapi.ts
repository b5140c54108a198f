import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from '../../app';
import { loadConfig } from '../../config/app-config';
import { buildOpenApiDocument } from '../openapi';

/**
 * Writes openapi.json at the repository root from the controllers and DTOs. The app is built in
 * Nest's preview mode: modules and routes are scanned but no provider is instantiated, so no
 * database is opened, no file is created and no port is bound. The configuration is fixed
 * rather than read from the environment, so the document is the same on every machine.
 */
async function main(): Promise<void> {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'openapi-generation-only-not-a-real-secret',
    DATABASE_SQLITE_PATH: ':memory:',
    DATABASE_MIGRATIONS_RUN: 'false',
  });
  const app = await createApp(config, { preview: true });
  try {
    const document = buildOpenApiDocument(app);
    // dist/src/openapi/cli/ -> the repository root, wherever the command is run from.
    const target = resolve(process.argv[2] ?? resolve(__dirname, '../../../../openapi.json'));
    writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`wrote ${target} (${Object.keys(document.paths).length} paths)`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error('openapi generation failed:', error);
  process.exit(1);
});
