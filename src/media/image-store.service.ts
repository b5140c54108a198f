import { Injectable } from '@nestjs/common';
import { StorageService } from '../storage/storage.service';
import { ImageFormat, ImageProcessor, ImageRendition } from './image-processor';

/** Rendition files never change under their key (a new upload gets a new prefix), so caches may keep them. */
export const IMAGE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export type StoredRendition = Omit<ImageRendition, 'data'> & {
  /** Storage key: `<prefix>/<keySuffix>`. */
  key: string;
  /** Where clients fetch it directly, when STORAGE_PUBLIC_BASE_URL is set. */
  url?: string;
};

export interface StoredImage {
  /** The upload's format as read from its bytes. */
  format: ImageFormat;
  original: StoredRendition;
  renditions: StoredRendition[];
}

/**
 * Processes an uploaded image and stores every output under one prefix (for example
 * `products/<productId>/images/<imageId>`): what the upload endpoint will call. When a write
 * fails, the files already written are removed again.
 */
@Injectable()
export class ImageStore {
  constructor(
    private readonly processor: ImageProcessor,
    private readonly storage: StorageService,
  ) {}

  async store(prefix: string, bytes: Buffer): Promise<StoredImage> {
    const processed = await this.processor.process(bytes);
    const written: string[] = [];
    const save = async (rendition: ImageRendition): Promise<StoredRendition> => {
      const { data, ...descriptor } = rendition;
      const key = `${prefix}/${rendition.keySuffix}`;
      await this.storage.put(key, data, rendition.contentType, IMAGE_CACHE_CONTROL);
      written.push(key);
      const url = this.storage.publicUrl(key);
      return { ...descriptor, key, ...(url ? { url } : {}) };
    };
    try {
      const original = await save(processed.original);
      const renditions: StoredRendition[] = [];
      for (const rendition of processed.renditions) renditions.push(await save(rendition));
      return { format: processed.format, original, renditions };
    } catch (error) {
      await Promise.allSettled(written.map((key) => this.storage.delete(key)));
      throw error;
    }
  }

  /** Removes every file of a stored image. */
  async remove(image: Pick<StoredImage, 'original' | 'renditions'>): Promise<void> {
    await Promise.all([image.original, ...image.renditions].map((file) => this.storage.delete(file.key)));
  }
}
