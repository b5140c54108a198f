import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress as zlibBrotliCompress, constants as zlib, gzip as zlibGzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type ContentCoding = 'br' | 'gzip' | 'identity';

/** Preferred first when a client accepts several equally. */
const CODINGS: readonly ContentCoding[] = ['br', 'gzip', 'identity'];
/** Below any q-value a client can write (three decimals), above refusal. */
const UNLISTED_IDENTITY = 0.0001;

/**
 * The content coding to answer with, by the Accept-Encoding header (RFC 9110 §12.5.3): the one
 * with the highest q-value, `*` standing for any not listed. Identity, acceptable unless refused,
 * is chosen over a listed coding only when the client lists it with a higher q-value.
 */
export function negotiateContentCoding(acceptEncoding: string | undefined): ContentCoding {
  if (!acceptEncoding?.trim()) return 'identity';
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [coding, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const quality = parameters.map((parameter) => /^q\s*=\s*([01](?:\.\d{0,3})?)$/.exec(parameter)?.[1]).find(Boolean);
    if (coding) weights.set(coding, quality === undefined ? 1 : Number(quality));
  }
  const weight = (coding: ContentCoding) => weights.get(coding) ?? weights.get('*') ?? (coding === 'identity' ? UNLISTED_IDENTITY : 0);
  let best: ContentCoding | undefined;
  for (const coding of CODINGS) if (weight(coding) > 0 && (best === undefined || weight(coding) > weight(best))) best = coding;
  // Nothing acceptable (identity refused too): the document as is rather than a 406.
  return best ?? 'identity';
}

const gzip = promisify(zlibGzip);
const brotliCompress = promisify(zlibBrotliCompress);

/**
 * A JSON document served as is for the life of the process (the OpenAPI document): serialized
 * once, and compressed once per coding, on the first request that asks for it (gzip level 9,
 * brotli quality 11: about 0.3 s of a worker thread for the 250 KB document, paid once, not at
 * every start-up of the app). Each coding is a representation of its own with its own strong
 * ETag (the document's hash, suffixed by the coding); an If-None-Match naming any of them means
 * the document did not change: 304.
 */
export class ServedDocument {
  private readonly json: Buffer;
  private readonly hash: string;
  private readonly compressed = new Map<Exclude<ContentCoding, 'identity'>, Promise<Buffer>>();

  constructor(document: unknown) {
    this.json = Buffer.from(JSON.stringify(document));
    this.hash = createHash('sha256').update(this.json).digest('base64url').slice(0, 27);
  }

  async send(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const coding = negotiateContentCoding(request.headers['accept-encoding']);
    void reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('vary', 'Accept-Encoding')
      // Revalidated on every use: a deployment changes the document, and a 304 costs no body.
      .header('cache-control', 'no-cache')
      .header('etag', this.etag(coding));
    if (this.matches(request.headers['if-none-match'])) return reply.status(304).send();
    if (coding === 'identity') return reply.send(this.json);
    return reply.header('content-encoding', coding).send(await this.body(coding));
  }

  private etag(coding: ContentCoding): string {
    return coding === 'identity' ? `"${this.hash}"` : `"${this.hash}-${coding}"`;
  }

  private body(coding: Exclude<ContentCoding, 'identity'>): Promise<Buffer> {
    let body = this.compressed.get(coding);
    if (!body) {
      body =
        coding === 'gzip'
          ? gzip(this.json, { level: 9 })
          : brotliCompress(this.json, {
              params: { [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: this.json.length },
            });
      this.compressed.set(coding, body);
    }
    return body;
  }

  private matches(ifNoneMatch: string | undefined): boolean {
    if (!ifNoneMatch) return false;
    return ifNoneMatch.split(',').some((tag) => {
      const trimmed = tag.trim().replace(/^W\//, '');
      return trimmed === '*' || CODINGS.some((coding) => trimmed === this.etag(coding));
    });
  }
}
