/** The idempotency feature's public surface, for controllers and services of other features. */
export { Idempotent } from './idempotent.decorator';
export { idempotencyKeyOf, IdempotencyInterceptor } from './idempotency.interceptor';
export { IdempotencyModule } from './idempotency.module';
export { IdempotencyService } from './idempotency.service';
export {
  canonicalJson,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyScopeOf,
  requestFingerprint,
  validIdempotencyKey,
} from './idempotency.rules';
