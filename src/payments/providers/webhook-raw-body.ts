/** Routes whose handlers get the exact request bytes as `request.rawBody` (the JSON body parser keeps them), for signature checks. */
export const WEBHOOK_PATH_PREFIX = '/v1/payments/webhooks/';
