import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { LocalDiskDriver } from './local-disk.driver';
import { S3Driver } from './s3.driver';
import { STORAGE_DRIVER, StorageDriver } from './storage-driver';
import { StorageService } from './storage.service';

export function createStorageDriver(config: AppConfig): StorageDriver {
  const { storage } = config;
  return storage.driver === 's3' ? new S3Driver(storage.s3) : new LocalDiskDriver(storage.localDir);
}

/** File storage: local disk (default) or S3, behind StorageService. */
@Module({
  providers: [{ provide: STORAGE_DRIVER, useFactory: createStorageDriver, inject: [AppConfig] }, StorageService],
  exports: [StorageService],
})
export class StorageModule {}
