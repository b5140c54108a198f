import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import { StorageDriver, StoredFile } from './storage-driver';

interface Sidecar {
  contentType: string;
  cacheControl?: string;
}

const META_DIR = '.meta';

/**
 * Files on local disk under one root directory. Each file's content type and cache control live
 * in a JSON sidecar under `<root>/.meta/` (keys cannot start a segment with a dot, so no key can
 * reach it). Writes go to a temporary file in the same directory, then rename over the target:
 * readers never see a half-written file.
 */
export class LocalDiskDriver implements StorageDriver {
  readonly name = 'local';
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, bytes: Buffer, contentType: string, cacheControl?: string): Promise<void> {
    const file = this.pathOf(key);
    const sidecar: Sidecar = { contentType, ...(cacheControl ? { cacheControl } : {}) };
    // The sidecar first: a file is visible only once its data is renamed into place.
    await atomicWrite(this.metaPathOf(key), Buffer.from(JSON.stringify(sidecar)));
    await atomicWrite(file, bytes);
  }

  async get(key: string): Promise<StoredFile | undefined> {
    const file = this.pathOf(key);
    const info = await stat(file).catch(ifMissing(undefined));
    if (!info?.isFile()) return undefined;
    const sidecar = await this.readSidecar(key);
    return { body: createReadStream(file), contentLength: info.size, ...sidecar };
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
    await rm(this.metaPathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    const info = await stat(this.pathOf(key)).catch(ifMissing(undefined));
    return Boolean(info?.isFile());
  }

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  private async readSidecar(key: string): Promise<Sidecar> {
    const raw = await readFile(this.metaPathOf(key), 'utf8').catch(ifMissing(undefined));
    if (!raw) return { contentType: 'application/octet-stream' };
    return JSON.parse(raw) as Sidecar;
  }

  private pathOf(key: string): string {
    return this.inside(this.root, key);
  }

  private metaPathOf(key: string): string {
    return this.inside(join(this.root, META_DIR), `${key}.json`);
  }

  /** Resolves a key under a directory and refuses anything that would land outside it. */
  private inside(dir: string, key: string): string {
    const path = resolve(dir, key);
    const rel = relative(dir, path);
    if (!rel || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
      throw new Error(`storage key escapes its directory: ${key}`);
    }
    return path;
  }
}

async function atomicWrite(path: string, bytes: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.tmp-${randomBytes(8).toString('hex')}`);
  try {
    await writeFile(temp, bytes, { flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function ifMissing<T>(value: T) {
  return (error: unknown): T => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return value;
    throw error;
  };
}
