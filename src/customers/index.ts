export { AddressDto, ShippingAddressDto } from './dto/address.dto';
export { CustomersModule } from './customers.module';
export { CustomersService } from './customers.service';
