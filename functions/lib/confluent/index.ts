export {
  ConfluentClient,
  gatewayAccount,
  isPniAccessPoint,
  isPniGateway,
  parseErrorBody,
  pniAccessPointConfig,
  pniGatewayConfig,
} from './client.js';
export type { ConfluentClientOptions, ConfluentCredentials, ConfluentRetryInfo } from './client.js';
export * from './types.js';
export { CONFLUENT_SECRET_INVALID_MESSAGE, parseConfluentSecret } from './credentials.js';
