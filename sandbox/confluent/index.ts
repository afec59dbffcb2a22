/**
 * The sandbox's Confluent Cloud networking API emulator (PNI gateways and access points).
 * See ./README.md for the behaviour and "Where the Confluent sandbox guesses".
 */
export { ConfluentEmulator } from './emulator.js';
export type { ConfluentEmulatorOptions } from './emulator.js';
export type { Ec2View } from './models.js';
export {
  FORBIDDEN_ROUTE_CIDRS,
  MAX_EGRESS_ROUTES,
  MAX_PNI_GATEWAYS_PER_ENVIRONMENT,
  MIN_NETWORK_INTERFACES,
  PNI_GATEWAY_ZONES,
} from './validate.js';
