import type { RequestResult, TDataShape } from './generated/client/index.js';
import type { NotModifiedOperation } from './generated/operation-facts.gen.js';
import * as sdk from './generated/sdk.gen.js';
import type { Options } from './generated/sdk.gen.js';
import type {
  GetCategoryData,
  GetCategoryErrors,
  GetCategoryResponses,
  GetProductBySlugData,
  GetProductBySlugErrors,
  GetProductBySlugResponses,
  GetProductData,
  GetProductErrors,
  GetProductResponses,
  GetUserData,
  GetUserErrors,
  GetUserResponses,
} from './generated/types.gen.js';

/** The answer to a conditional read whose resource still has the ETag sent in If-None-Match: 304, no body. */
export interface NotModified {
  notModified: true;
  data: undefined;
  error: undefined;
  request: Request;
  response: Response;
}

type ThrowsOnError<TOptions> = TOptions extends { throwOnError: infer Throws extends boolean } ? Throws : false;

/** Whether the call passes request headers; If-None-Match is the only one these reads take. */
type SendsHeaders<TOptions> = 'headers' extends keyof TOptions ? ([TOptions['headers']] extends [undefined] ? false : true) : false;

type Fresh<TResponses, TErrors, TOptions> = Awaited<RequestResult<TResponses, TErrors, ThrowsOnError<TOptions>>> & { notModified: false };

/**
 * An SDK function for a read that can answer 304. Called without `headers` it resolves as every
 * SDK function does (plus `notModified: false`). Called with `headers: { 'If-None-Match': etag }`
 * it may also resolve to {@link NotModified}: check `notModified` before reading `data`. A 304 is
 * never an `error`, and `throwOnError: true` does not throw on it.
 */
export type ConditionalRead<TData extends TDataShape, TResponses, TErrors> = <TOptions extends Options<TData, boolean>>(
  options: TOptions,
) => Promise<SendsHeaders<TOptions> extends true ? Fresh<TResponses, TErrors, TOptions> | NotModified : Fresh<TResponses, TErrors, TOptions>>;

type Operation<TData extends TDataShape, TResponses, TErrors> = <ThrowOnError extends boolean = false>(
  options: Options<TData, ThrowOnError>,
) => RequestResult<TResponses, TErrors, ThrowOnError>;

function conditionalRead<TData extends TDataShape, TResponses, TErrors>(
  operation: Operation<TData, TResponses, TErrors>,
): ConditionalRead<TData, TResponses, TErrors> {
  const read = async (options: Options<TData, boolean>): Promise<Fresh<TResponses, TErrors, unknown> | NotModified> => {
    // The generated client takes every non-2xx answer for an error: ask for the result, not a throw, and sort it here.
    const result = await operation({ ...options, throwOnError: false });
    if (result.response?.status === 304) {
      return { notModified: true, data: undefined, error: undefined, request: result.request, response: result.response };
    }
    // As the SDK does with throwOnError: reject with the problem body itself.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (options.throwOnError && result.error !== undefined) throw result.error;
    return { ...result, notModified: false };
  };
  return read as ConditionalRead<TData, TResponses, TErrors>;
}

// `satisfies` fails the type check when the document gains or loses an operation that answers 304.
const conditionalReads = {
  getCategory: conditionalRead<GetCategoryData, GetCategoryResponses, GetCategoryErrors>(sdk.getCategory),
  getProduct: conditionalRead<GetProductData, GetProductResponses, GetProductErrors>(sdk.getProduct),
  getProductBySlug: conditionalRead<GetProductBySlugData, GetProductBySlugResponses, GetProductBySlugErrors>(sdk.getProductBySlug),
  getUser: conditionalRead<GetUserData, GetUserResponses, GetUserErrors>(sdk.getUser),
} satisfies Record<NotModifiedOperation, unknown>;

export const { getCategory, getProduct, getProductBySlug, getUser } = conditionalReads;
