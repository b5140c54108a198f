import { AppError } from '../common/problem/app-error';

/** 402: the provider refused the payment (declined card, insufficient funds...); `failureCode` says why. */
export class PaymentFailedError extends AppError {
  readonly status = 402;
  readonly type = 'payment-failed';
  readonly title = 'Payment Required';

  constructor(failureCode: string, detail: string) {
    super(detail, { failureCode });
  }
}

/** 502: the payment provider did not do what was asked (e.g. a refund failed); nothing was changed. */
export class PaymentProviderError extends AppError {
  readonly status = 502;
  readonly type = 'payment-provider-error';
  readonly title = 'Bad Gateway';
}
