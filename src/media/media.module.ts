import { Module } from '@nestjs/common';
import { StorageModule } from '../storage/storage.module';
import { ImageProcessor } from './image-processor';
import { ImageStore } from './image-store.service';

/** Image processing for uploads (validation by bytes, limits, metadata stripping, WebP renditions) and storing the results. */
@Module({
  imports: [StorageModule],
  providers: [ImageProcessor, ImageStore],
  exports: [ImageProcessor, ImageStore],
})
export class MediaModule {}
