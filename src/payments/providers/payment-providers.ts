import { Injectable } from '@nestjs/common';
import { NotFoundError, RuleViolationError } from '../../common/problem/app-error';
import { AppConfig } from '../../config/app-config';
import { PaymentProvider } from './payment-provider';
import { TestPaymentProvider } from './test-payment-provider';

/**
 * The payment providers this deployment has enabled (PAYMENTS_PROVIDERS), by name. A provider
 * that is built in but not enabled is treated as absent: it takes no payments, refunds or webhooks.
 */
@Injectable()
export class PaymentProviders {
  private readonly enabled: ReadonlyMap<string, PaymentProvider>;

  constructor(config: AppConfig, test: TestPaymentProvider) {
    const builtIn = new Map<string, PaymentProvider>([[test.name, test]]);
    this.enabled = new Map(config.payments.providers.map((name) => [name, builtIn.get(name) as PaymentProvider]));
  }

  /** The enabled provider called `name`, to pay or refund with; 422 naming the enabled ones otherwise. */
  get(name: string): PaymentProvider {
    const provider = this.enabled.get(name);
    if (provider) return provider;
    const names = this.names();
    throw new RuleViolationError(
      `The payment provider ${name} is not enabled on this server; enabled: ${names.length ? names.join(', ') : 'none'}.`,
      { providers: names },
    );
  }

  /** The enabled provider a webhook URL names; 404 otherwise, as for any unknown resource. */
  forWebhook(name: string): PaymentProvider {
    const provider = this.enabled.get(name);
    if (!provider) throw new NotFoundError('Payment provider', name);
    return provider;
  }

  names(): string[] {
    return [...this.enabled.keys()];
  }
}
