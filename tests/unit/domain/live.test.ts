import { RequestInvalid } from '#lib/errors.js';
import { checkLiveFacts, existingGatewayFact, withDefaults, type LiveFacts } from '#lib/request/live.js';
import { parseRequest } from '#lib/request/parse.js';
import type { CanonicalRequest } from '#lib/types.js';
import { canonical, exampleRequest, liveFacts, subnetFacts, SUBNET_A, SUBNET_B, SUBNET_C, VPC } from './fixtures.js';

function failure(req: CanonicalRequest, facts: LiveFacts): RequestInvalid {
  try {
    checkLiveFacts(req, facts);
  } catch (err) {
    expect(err).toBeInstanceOf(RequestInvalid);
    return err as RequestInvalid;
  }
  throw new Error('expected checkLiveFacts to throw');
}

const PNI_GATEWAY = {
  id: 'gw-abc123',
  region: 'us-west-2',
  zones: ['usw2-az3', 'usw2-az1', 'usw2-az2'],
  phase: 'READY',
};

describe('checkLiveFacts: passing', () => {
  it('the example request with matching facts: subnets in request order, warnings', () => {
    const facts = liveFacts({ subnets: subnetFacts().reverse() });
    const out = checkLiveFacts(parseRequest(exampleRequest(), 'x'), facts);
    expect(out.subnets.map((s) => s.subnetId)).toEqual([SUBNET_A, SUBNET_B, SUBNET_C]);
    expect(out.warnings).toEqual([]);
  });

  it('returns the egress warnings', () => {
    const out = checkLiveFacts(canonical({ egressRoutes: ['10.10.0.0/16'] }), liveFacts());
    expect(out.warnings).toEqual([
      'egress route 10.10.0.0/16 has no security group egress rule: fully managed connectors cannot reach it while the security group blocks egress',
    ]);
  });

  it('exactly enough free addresses is enough', () => {
    const subnets = subnetFacts().map((s) => ({ ...s, availableIps: 17 }));
    expect(() => checkLiveFacts(canonical(), liveFacts({ subnets }))).not.toThrow();
  });

  it('sequential mode with used addresses outside the plan', () => {
    const req = canonical({ ipAssignment: { mode: 'sequential', startOffset: 10 } });
    expect(() => checkLiveFacts(req, liveFacts({ usedIps: { [SUBNET_A]: ['10.0.1.9', '10.0.1.27'] } }))).not.toThrow();
  });

  it('an existing security group in the VPC, and a fitting existing gateway (zones as a set)', () => {
    const req = canonical({
      securityGroup: { existingId: 'sg-0123456789abcdef0' },
      gateway: { existingId: 'gw-abc123' },
    });
    const facts = liveFacts({
      existingSecurityGroup: { groupId: 'sg-0123456789abcdef0', vpcId: VPC },
      existingGateway: { ...PNI_GATEWAY, kind: 'AwsPrivateNetworkInterfaceGatewayStatus' },
      pniGateways: [
        { id: 'gw-abc123', phase: 'READY' },
        { id: 'gw-def456', phase: 'READY' },
      ],
    });
    expect(() => checkLiveFacts(req, facts)).not.toThrow();
  });

  it('an existing gateway that is still provisioning may be reused', () => {
    const req = canonical({ gateway: { existingId: 'gw-abc123' } });
    expect(() =>
      checkLiveFacts(req, liveFacts({ existingGateway: { ...PNI_GATEWAY, phase: 'PROVISIONING' } })),
    ).not.toThrow();
  });

  it('gateways this request created on an earlier attempt do not count toward the quota', () => {
    const facts = liveFacts({
      pniGateways: [
        { id: 'gw-other', phase: 'READY' },
        { id: 'gw-mine', displayName: 'pni-x', phase: 'PROVISIONING' },
      ],
      ownGatewayIds: ['gw-mine'],
    });
    expect(() => checkLiveFacts(canonical(), facts)).not.toThrow();
    expect(() =>
      checkLiveFacts(canonical(), liveFacts({ pniGateways: [{ id: 'gw-other', phase: 'READY' }] })),
    ).not.toThrow();
  });
});

describe('checkLiveFacts: every rule fails with field + rule', () => {
  const seqReq = canonical({ ipAssignment: { mode: 'sequential', startOffset: 10 } });
  const cases: [string, CanonicalRequest, LiveFacts, string][] = [
    [
      'VPC not found',
      canonical(),
      liveFacts({ vpc: undefined }),
      `vpcId: VPC ${VPC} was not found in region us-west-2`,
    ],
    [
      'VPC facts for another VPC',
      canonical(),
      liveFacts({ vpc: { vpcId: 'vpc-0000000000000000f', cidr: '10.0.0.0/16', ownerId: '1' } }),
      `vpcId: VPC ${VPC} was not found in region us-west-2`,
    ],
    [
      'subnet not found',
      canonical(),
      liveFacts({ subnets: subnetFacts().filter((s) => s.subnetId !== SUBNET_B) }),
      `subnetIds[1]: subnet ${SUBNET_B} was not found in region us-west-2`,
    ],
    [
      'subnet in another VPC',
      canonical(),
      liveFacts({
        subnets: subnetFacts().map((s) => (s.subnetId === SUBNET_C ? { ...s, vpcId: 'vpc-0000000000000000f' } : s)),
      }),
      `subnetIds[2]: subnet ${SUBNET_C} is in vpc-0000000000000000f, not in ${VPC}`,
    ],
    [
      'two subnets in one AZ id',
      canonical(),
      liveFacts({
        subnets: subnetFacts().map((s) =>
          s.subnetId === SUBNET_C ? { ...s, zoneId: 'usw2-az1', zoneName: 'us-west-2a' } : s,
        ),
      }),
      `subnetIds[2]: subnet ${SUBNET_C} is in availability zone usw2-az1 (us-west-2a), like subnetIds[0]; the 3 subnets must be in 3 different availability zones`,
    ],
    [
      'same AZ id behind different AZ names',
      canonical(),
      liveFacts({ subnets: subnetFacts().map((s) => (s.subnetId === SUBNET_B ? { ...s, zoneId: 'usw2-az1' } : s)) }),
      `subnetIds[1]: subnet ${SUBNET_B} is in availability zone usw2-az1 (us-west-2b), like subnetIds[0]; the 3 subnets must be in 3 different availability zones`,
    ],
    [
      'not enough free addresses',
      canonical(),
      liveFacts({ subnets: subnetFacts().map((s) => (s.subnetId === SUBNET_B ? { ...s, availableIps: 16 } : s)) }),
      `subnetIds[1]: subnet ${SUBNET_B} has 16 free IP addresses but needs 17 (enisPerSubnet)`,
    ],
    [
      'sequential: subnet too small for the plan',
      canonical({ ipAssignment: { mode: 'sequential', startOffset: 20 } }),
      liveFacts({
        subnets: subnetFacts().map((s) =>
          s.subnetId === SUBNET_C ? { ...s, cidr: '10.0.3.0/27', availableIps: 27 } : s,
        ),
      }),
      `ipAssignment.startOffset: subnetIds[2] (${SUBNET_C}): subnet 10.0.3.0/27 has room for only 11 addresses from offset 20 but 17 are needed (its last usable offset is 30)`,
    ],
    [
      'sequential: a planned address is in use',
      seqReq,
      liveFacts({ usedIps: { [SUBNET_B]: ['10.0.2.200', '10.0.2.12'] } }),
      `ipAssignment.startOffset: address 10.0.2.12 in subnet ${SUBNET_B} (subnetIds[1]) is already in use; choose another startOffset or use mode "auto"`,
    ],
    [
      'existing security group not found',
      canonical({ securityGroup: { existingId: 'sg-0123456789abcdef0' } }),
      liveFacts({ existingSecurityGroup: null }),
      'securityGroup.existingId: security group sg-0123456789abcdef0 was not found in region us-west-2',
    ],
    [
      'existing security group not looked up',
      canonical({ securityGroup: { existingId: 'sg-0123456789abcdef0' } }),
      liveFacts(),
      'securityGroup.existingId: security group sg-0123456789abcdef0 was not found in region us-west-2',
    ],
    [
      'existing security group in another VPC',
      canonical({ securityGroup: { existingId: 'sg-0123456789abcdef0' } }),
      liveFacts({ existingSecurityGroup: { groupId: 'sg-0123456789abcdef0', vpcId: 'vpc-0000000000000000f' } }),
      `securityGroup.existingId: security group sg-0123456789abcdef0 is in vpc-0000000000000000f, not in ${VPC}`,
    ],
    [
      'existing gateway not found',
      canonical({ gateway: { existingId: 'gw-abc123' } }),
      liveFacts({ existingGateway: null }),
      'gateway.existingId: gateway gw-abc123 was not found in environment env-abc123',
    ],
    [
      'existing gateway not PNI',
      canonical({ gateway: { existingId: 'gw-abc123' } }),
      liveFacts({ existingGateway: { ...PNI_GATEWAY, kind: 'AwsPrivateLinkGatewaySpec' } }),
      'gateway.existingId: gateway gw-abc123 is not a PNI gateway (its kind is AwsPrivateLinkGatewaySpec)',
    ],
    [
      'existing gateway in another region',
      canonical({ gateway: { existingId: 'gw-abc123' } }),
      liveFacts({ existingGateway: { ...PNI_GATEWAY, region: 'us-east-1' } }),
      'gateway.existingId: gateway gw-abc123 is in region us-east-1, not in us-west-2',
    ],
    [
      'existing gateway FAILED',
      canonical({ gateway: { existingId: 'gw-abc123' } }),
      liveFacts({ existingGateway: { ...PNI_GATEWAY, phase: 'FAILED' } }),
      'gateway.existingId: gateway gw-abc123 is FAILED and cannot be used',
    ],
    [
      'existing gateway EXPIRED',
      canonical({ gateway: { existingId: 'gw-abc123' } }),
      liveFacts({ existingGateway: { ...PNI_GATEWAY, phase: 'EXPIRED' } }),
      'gateway.existingId: gateway gw-abc123 is EXPIRED and cannot be used',
    ],
    [
      'existing gateway DEPROVISIONING',
      canonical({ gateway: { existingId: 'gw-abc123' } }),
      liveFacts({ existingGateway: { ...PNI_GATEWAY, phase: 'DEPROVISIONING' } }),
      'gateway.existingId: gateway gw-abc123 is DEPROVISIONING and cannot be used',
    ],
    [
      'existing gateway with other zones',
      canonical({ gateway: { existingId: 'gw-abc123' } }),
      liveFacts({ existingGateway: { ...PNI_GATEWAY, zones: ['usw2-az1', 'usw2-az2', 'usw2-az4'] } }),
      'gateway.existingId: gateway gw-abc123 serves zones usw2-az1, usw2-az2, usw2-az4 but the subnets are in usw2-az1, usw2-az2, usw2-az3',
    ],
    [
      'existing gateway with fewer zones',
      canonical({ gateway: { existingId: 'gw-abc123' } }),
      liveFacts({ existingGateway: { ...PNI_GATEWAY, zones: ['usw2-az1', 'usw2-az2'] } }),
      'gateway.existingId: gateway gw-abc123 serves zones usw2-az1, usw2-az2 but the subnets are in usw2-az1, usw2-az2, usw2-az3',
    ],
    [
      'a third gateway in the environment',
      canonical(),
      liveFacts({
        pniGateways: [
          { id: 'gw-one', phase: 'READY' },
          { id: 'gw-two', displayName: 'b', phase: 'PROVISIONING' },
        ],
      }),
      'gateway: environment env-abc123 already has 2 PNI gateways (the limit per environment); reuse one with gateway.existingId',
    ],
    [
      'own gateways only exempt themselves',
      canonical(),
      liveFacts({
        pniGateways: [
          { id: 'gw-one', phase: 'READY' },
          { id: 'gw-two', phase: 'READY' },
          { id: 'gw-mine', phase: 'READY' },
        ],
        ownGatewayIds: ['gw-mine'],
      }),
      'gateway: environment env-abc123 already has 2 PNI gateways (the limit per environment); reuse one with gateway.existingId',
    ],
  ];

  it.each(cases)('%s', (_name, req, facts, message) => {
    const err = failure(req, facts);
    expect(err.name).toBe('RequestInvalid');
    expect(err.message).toBe(message);
    expect(message.startsWith(`${err.field}: `)).toBe(true);
  });

  it('checks in a stable order: VPC before subnets before gateway', () => {
    const facts = liveFacts({
      vpc: undefined,
      subnets: [],
      pniGateways: [
        { id: 'a', phase: 'READY' },
        { id: 'b', phase: 'READY' },
      ],
    });
    expect(failure(canonical(), facts).field).toBe('vpcId');
    expect(failure(canonical(), { ...facts, vpc: liveFacts().vpc }).field).toBe('subnetIds[0]');
  });
});

describe('withDefaults', () => {
  it('fills ingressCidrs with the VPC CIDR when absent, without touching the input', () => {
    const req = canonical({ securityGroup: { egressRules: [] } });
    const filled = withDefaults(req, '10.0.0.0/16');
    expect(filled.securityGroup).toEqual({ ingressCidrs: ['10.0.0.0/16'], egressRules: [] });
    expect(req.securityGroup).toEqual({ egressRules: [] });
  });

  it('keeps given ingressCidrs and existing security groups as they are', () => {
    const given = canonical({ securityGroup: { ingressCidrs: ['192.168.0.0/16'], egressRules: [] } });
    expect(withDefaults(given, '10.0.0.0/16')).toEqual(given);
    const existing = canonical({ securityGroup: { existingId: 'sg-0123456789abcdef0' } });
    expect(withDefaults(existing, '10.0.0.0/16')).toEqual(existing);
  });
});

describe('existingGatewayFact (issue 8: the kind reaches the rule)', () => {
  const gateway = (config: Record<string, unknown>, cloudKind?: string) =>
    ({
      id: 'gw-abc123',
      spec: { display_name: 'x', config },
      status: { phase: 'READY', ...(cloudKind ? { cloud_gateway: { kind: cloudKind } } : {}) },
    }) as never;

  it('a missing gateway is null ("not found")', () => {
    expect(existingGatewayFact(undefined)).toBeNull();
  });

  it('a PNI gateway keeps region, zones, phase and kind', () => {
    expect(
      existingGatewayFact(
        gateway({ kind: 'AwsPrivateNetworkInterfaceGatewaySpec', region: 'us-west-2', zones: ['usw2-az1'] }),
      ),
    ).toEqual({
      id: 'gw-abc123',
      region: 'us-west-2',
      zones: ['usw2-az1'],
      phase: 'READY',
      kind: 'AwsPrivateNetworkInterfaceGatewaySpec',
    });
  });

  it('a non-PNI gateway is refused as "not a PNI gateway", not as "not found"', () => {
    const fact = existingGatewayFact(gateway({ kind: 'AwsPrivateLinkGatewaySpec', region: 'us-west-2' }));
    const req = canonical({ gateway: { existingId: 'gw-abc123' } });
    expect(failure(req, liveFacts({ existingGateway: fact })).message).toBe(
      'gateway.existingId: gateway gw-abc123 is not a PNI gateway (its kind is AwsPrivateLinkGatewaySpec)',
    );
  });
});
