/**
 * The EC2 actions the emulator implements, by Query-protocol `Action` name. To add an action, write its
 * handler (`(ctx: Ctx) => Struct`) next to its resource (network.ts, security-groups.ts,
 * network-interfaces.ts) and add it here; its output shape goes through views.ts and xml.ts.
 */
import type { Handler } from './context.js';
import { describeAvailabilityZones, describeSubnets, describeVpcs } from './network.js';
import {
  createNetworkInterface,
  createNetworkInterfacePermission,
  createTags,
  deleteNetworkInterface,
  deleteNetworkInterfacePermission,
  describeNetworkInterfacePermissions,
  describeNetworkInterfaces,
} from './network-interfaces.js';
import {
  authorizeSecurityGroupEgress,
  authorizeSecurityGroupIngress,
  createSecurityGroup,
  deleteSecurityGroup,
  describeSecurityGroups,
  revokeSecurityGroupEgress,
  revokeSecurityGroupIngress,
} from './security-groups.js';

export const HANDLERS: Record<string, Handler> = {
  DescribeVpcs: describeVpcs,
  DescribeSubnets: describeSubnets,
  DescribeAvailabilityZones: describeAvailabilityZones,
  CreateSecurityGroup: createSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
  AuthorizeSecurityGroupEgress: authorizeSecurityGroupEgress,
  RevokeSecurityGroupIngress: revokeSecurityGroupIngress,
  RevokeSecurityGroupEgress: revokeSecurityGroupEgress,
  DeleteSecurityGroup: deleteSecurityGroup,
  CreateNetworkInterface: createNetworkInterface,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  DeleteNetworkInterface: deleteNetworkInterface,
  CreateNetworkInterfacePermission: createNetworkInterfacePermission,
  DescribeNetworkInterfacePermissions: describeNetworkInterfacePermissions,
  DeleteNetworkInterfacePermission: deleteNetworkInterfacePermission,
  CreateTags: createTags,
};

/** The actions the emulator implements. */
export const EC2_ACTIONS: readonly string[] = Object.keys(HANDLERS);
