import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/problem/app-error';
import { PaymentProvider } from './payment-provider';
import { TestPaymentProvider } from './test-payment-provider';

/** The payment providers this deployment knows, by name (`test` for now). */
@Injectable()
export class PaymentProviders {
  private readonly byName: ReadonlyMap<string, PaymentProvider>;

  constructor(test: TestPaymentProvider) {
    this.byName = new Map([[test.name, test]]);
  }

  /** The provider called `name`; 404 when there is none. */
  get(name: string): PaymentProvider {
    const provider = this.byName.get(name);
    if (!provider) throw new NotFoundError('Payment provider', name);
    return provider;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
