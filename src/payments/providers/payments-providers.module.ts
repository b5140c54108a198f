import { Module } from '@nestjs/common';
import { PaymentProviders } from './payment-providers';
import { TestPaymentProvider } from './test-payment-provider';

/** The payment provider implementations and their registry; the payments feature imports it. */
@Module({
  providers: [TestPaymentProvider, PaymentProviders],
  exports: [PaymentProviders],
})
export class PaymentsProvidersModule {}
