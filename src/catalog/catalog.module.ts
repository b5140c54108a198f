import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MediaModule } from '../media/media.module';
import { StorageModule } from '../storage/storage.module';
import { CategoriesController } from './categories.controller';
import { CategoriesService } from './categories.service';
import { CatalogSeeder, DemoCatalogBootstrap } from './catalog.seeder';
import { Category } from './entities/category.entity';
import { ProductCategory } from './entities/product-category.entity';
import { ProductImage } from './entities/product-image.entity';
import { ProductVariant } from './entities/product-variant.entity';
import { Product } from './entities/product.entity';
import { ProductImagesController, ProductMediaController } from './product-images.controller';
import { ProductImagesService } from './product-images.service';
import { ProductsController } from './products.controller';
import { ProductsService } from './products.service';

/** The catalog core: the category tree, products and their variants. */
@Module({
  imports: [TypeOrmModule.forFeature([Category, Product, ProductVariant, ProductCategory, ProductImage]), MediaModule, StorageModule],
  controllers: [CategoriesController, ProductsController, ProductImagesController, ProductMediaController],
  providers: [CategoriesService, ProductsService, ProductImagesService, CatalogSeeder, DemoCatalogBootstrap],
  exports: [CategoriesService, ProductsService, CatalogSeeder],
})
export class CatalogModule {}
