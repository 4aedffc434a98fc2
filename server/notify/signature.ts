// Signed like Slack's and Stripe's requests: HMAC-SHA256 over "<timestamp>.<body>", so a
// receiver that checks the timestamp is recent also refuses a replayed delivery.
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-jit-signature';
export const TIMESTAMP_HEADER = 'x-jit-timestamp';

/** `sha256=<hex>` for the body sent at `timestamp` (Unix seconds). */
export const signature = (secret: string, timestamp: number, body: string) =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
