import { Injectable } from '@nestjs/common';
import sharp from 'sharp';
import { PayloadTooLargeError, RuleViolationError, UnsupportedMediaTypeError } from '../common/problem/app-error';
import { AppConfig } from '../config/app-config';

export type ImageFormat = 'jpeg' | 'png' | 'webp';

const CONTENT_TYPES: Record<ImageFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };
const EXTENSIONS: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp' };

/** Widths of the WebP renditions; a rendition is made only when the image is wider (never upscaled). */
export const RENDITION_WIDTHS = [320, 640, 1280] as const;

/** One output file of a processed image. */
export interface ImageRendition {
  /** `original`, or `w<width>` for a resized WebP rendition. */
  name: string;
  /** Appended to the image's storage prefix, for example `w640.webp`. */
  keySuffix: string;
  width: number;
  height: number;
  bytes: number;
  contentType: string;
  data: Buffer;
}

export interface ProcessedImage {
  /** The input's format as read from its bytes. */
  format: ImageFormat;
  /** Re-encoded in its own format: upright, without metadata (EXIF, GPS, XMP, ICC). */
  original: ImageRendition;
  /** WebP renditions, narrowest first. */
  renditions: ImageRendition[];
}

/**
 * Turns an uploaded image into safe, web-ready files. The bytes alone decide what the input is
 * (magic numbers, confirmed by the decoder's header read); file names and declared content types
 * are not looked at. Limits: IMAGE_MAX_BYTES (413) before anything is read, IMAGE_MAX_PIXELS
 * (422) from the header before any pixel is decoded.
 */
@Injectable()
export class ImageProcessor {
  constructor(private readonly config: AppConfig) {}

  async process(input: Buffer): Promise<ProcessedImage> {
    const { maxBytes, maxPixels } = this.config.images;
    if (input.length > maxBytes) {
      throw new PayloadTooLargeError(`The image is ${input.length} bytes; at most ${maxBytes} are accepted.`, { maxBytes });
    }
    const format = sniffFormat(input);
    if (!format) throw new UnsupportedMediaTypeError('Only JPEG, PNG and WebP images are accepted.', { accepted: Object.values(CONTENT_TYPES) });

    // metadata() reads only the header, so the size can be judged here before any pixel is
    // decoded; limitInputPixels still guards the decode below.
    const options: sharp.SharpOptions = { limitInputPixels: maxPixels, failOn: 'error', pages: 1 };
    const metadata = await sharp(input, { ...options, limitInputPixels: false })
      .metadata()
      .catch(() => {
        throw new RuleViolationError(`The ${CONTENT_TYPES[format]} image is damaged and cannot be read.`);
      });
    if (metadata.format !== format) {
      throw new UnsupportedMediaTypeError('Only JPEG, PNG and WebP images are accepted.', { accepted: Object.values(CONTENT_TYPES) });
    }
    const { width, height } = metadata;
    if (!width || !height || width * height > maxPixels) {
      throw new RuleViolationError(`The image is ${width}x${height} pixels; at most ${maxPixels} pixels are accepted.`, { maxPixels });
    }

    try {
      // rotate() without arguments turns the image upright by its EXIF orientation; sharp writes
      // no metadata unless asked to, so EXIF (GPS included), XMP and IPTC are dropped.
      const upright = sharp(input, options).rotate();
      const original = await encode(upright.clone(), format, 'original', `original.${EXTENSIONS[format]}`);
      const renditions: ImageRendition[] = [];
      for (const target of RENDITION_WIDTHS) {
        if (target >= original.width) break;
        renditions.push(await encode(upright.clone().resize({ width: target, withoutEnlargement: true }), 'webp', `w${target}`, `w${target}.webp`));
      }
      return { format, original, renditions };
    } catch (error) {
      throw new RuleViolationError(`The ${CONTENT_TYPES[format]} image cannot be decoded: ${(error as Error).message}`);
    }
  }
}

async function encode(pipeline: sharp.Sharp, format: ImageFormat, name: string, keySuffix: string): Promise<ImageRendition> {
  const encoded =
    format === 'jpeg'
      ? pipeline.jpeg({ quality: 90, mozjpeg: true })
      : format === 'png'
        ? pipeline.png({ compressionLevel: 9 })
        : pipeline.webp({ quality: format === 'webp' && name === 'original' ? 90 : 80 });
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return { name, keySuffix, width: info.width, height: info.height, bytes: data.length, contentType: CONTENT_TYPES[format], data };
}

/** The format by magic number: JPEG `FF D8 FF`, PNG's 8-byte signature, WebP `RIFF....WEBP`. */
export function sniffFormat(bytes: Buffer): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}
