/**
 * THE up-front assessment of a provisioning request: every live fact (read-only calls to EC2, Confluent and the state
 * table), every rule over them, and the one-live-connection-per-(environment, VPC) rule. ValidateRequest (before it
 * claims the lock) and `pni plan` (which claims nothing) both call `assessRequest`, so the two can never disagree.
 */
import { LIVE_CONNECTION_STATUSES } from '../constants.js';
import { ConnectionExists } from '../errors.js';
import { describeSecurityGroup, describeSubnets, describeVpc, usedIps } from '../ec2ops.js';
import { isPniGateway } from '../confluent/index.js';
import type { Deps } from '../deps.js';
import type { CanonicalRequest, SubnetFact } from '../types.js';
import { checkLiveFacts, existingGatewayFact, withDefaults, type LiveFacts } from './live.js';
import { egressWarnings } from './parse.js';

export interface Assessment {
  /** The request with the defaults that need the VPC filled in. */
  request: CanonicalRequest;
  facts: LiveFacts;
  /** The subnets, in request order. */
  subnets: SubnetFact[];
  customerAccount: string;
  vpcCidr: string;
  warnings: string[];
}

/** Read-only facts about the request's VPC, subnets, security group and gateways. */
export async function gatherFacts(deps: Deps, req: CanonicalRequest, ownGatewayId?: string): Promise<LiveFacts> {
  const ec2 = deps.ec2(req.region);
  const [vpc, subnets, used, existingSecurityGroup, gateways, existingGateway] = await Promise.all([
    describeVpc(ec2, req.vpcId),
    describeSubnets(ec2, req.subnetIds),
    req.ipAssignment.mode === 'sequential' ? usedIps(ec2, req.subnetIds) : Promise.resolve({}),
    'existingId' in req.securityGroup
      ? describeSecurityGroup(ec2, req.securityGroup.existingId)
      : Promise.resolve(undefined),
    deps.confluent.listGateways(req.environmentId),
    'existingId' in req.gateway
      ? deps.confluent.getGateway(req.environmentId, req.gateway.existingId)
      : Promise.resolve(undefined),
  ]);
  const pniGateways = gateways
    .filter(isPniGateway)
    .filter((g) => g.status?.phase !== 'DEPROVISIONING')
    .flatMap((g) =>
      g.id ? [{ id: g.id, displayName: g.spec?.display_name, phase: String(g.status?.phase ?? 'UNKNOWN') }] : [],
    );
  const existing = 'existingId' in req.gateway ? existingGatewayFact(existingGateway) : undefined;
  return {
    vpc,
    subnets,
    usedIps: used,
    pniGateways,
    existingGateway: existing,
    existingSecurityGroup,
    ownGatewayIds: ownGatewayId ? [ownGatewayId] : [],
  };
}

/**
 * Every live rule, in a stable order: the live facts (RequestInvalid naming the field), then one live connection per
 * (environment, VPC) (ConnectionExists naming the request that holds it). Read-only.
 */
export async function assessRequest(
  deps: Deps,
  parsed: CanonicalRequest,
  opts: { ownGatewayId?: string } = {},
): Promise<Assessment> {
  const facts = await gatherFacts(deps, parsed, opts.ownGatewayId);
  const checked = checkLiveFacts(parsed, facts);
  const { vpc } = checked;
  const request = withDefaults(parsed, vpc.cidr);
  const live = await deps.store.liveConnection(
    request.environmentId,
    request.vpcId,
    request.requestId,
    LIVE_CONNECTION_STATUSES,
  );
  if (live) {
    throw new ConnectionExists(
      live.requestId,
      `environment ${request.environmentId} and VPC ${request.vpcId} already have a connection: request ${live.requestId} (${live.status}); change it in place (update) or tear it down first`,
    );
  }
  return {
    request,
    facts,
    subnets: checked.subnets,
    customerAccount: vpc.ownerId,
    vpcCidr: vpc.cidr,
    warnings: [...new Set([...egressWarnings(request), ...checked.warnings])],
  };
}
