import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CartsModule } from '../carts/carts.module';
import { CheckoutController } from '../checkout/checkout.controller';
import { CheckoutService } from '../checkout/checkout.service';
import { CustomersModule } from '../customers/customers.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { InventoryModule } from '../inventory/inventory.module';
import { PaymentWebhookEvent } from '../payments/entities/payment-webhook-event.entity';
import { Payment } from '../payments/entities/payment.entity';
import { OrderPaymentsController, PaymentWebhooksController } from '../payments/payments.controller';
import { PaymentsService } from '../payments/payments.service';
import { PaymentsProvidersModule } from '../payments/providers/payments-providers.module';
import { PricingModule } from '../pricing/pricing.module';
import { UsersModule } from '../users/users.module';
import { OrderEvent } from './entities/order-event.entity';
import { OrderLine } from './entities/order-line.entity';
import { Order } from './entities/order.entity';
import { UnpaidOrderHold } from './entities/unpaid-order-hold.entity';
import { OrderLifecycleService } from './order-lifecycle.service';
import { OrderSweeper } from './order-sweeper';
import { MyOrdersController, OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { UnpaidOrderLimits } from './unpaid-order-limits';

/**
 * Orders with checkout and payments: one module because they are one life cycle (checkout creates,
 * payments pay and refund, cancelling refunds) and their services call each other.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Order, OrderLine, OrderEvent, Payment, PaymentWebhookEvent, UnpaidOrderHold]),
    CartsModule,
    CustomersModule,
    InventoryModule,
    PricingModule,
    IdempotencyModule,
    PaymentsProvidersModule,
    UsersModule,
  ],
  controllers: [CheckoutController, MyOrdersController, OrdersController, OrderPaymentsController, PaymentWebhooksController],
  providers: [OrdersService, OrderLifecycleService, CheckoutService, PaymentsService, OrderSweeper, UnpaidOrderLimits],
  exports: [OrdersService],
})
export class OrdersModule {}
