import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomersController } from './customers.controller';
import { CustomersService } from './customers.service';
import { Address } from './entities/address.entity';
import { CustomerProfile } from './entities/customer-profile.entity';

/** Customers' own profiles and saved addresses. */
@Module({
  imports: [TypeOrmModule.forFeature([CustomerProfile, Address])],
  controllers: [CustomersController],
  providers: [CustomersService],
  exports: [CustomersService],
})
export class CustomersModule {}
