import { RequestInvalid } from '#lib/errors.js';
import { parseRequest, requestIdFromHint, formatFieldPath } from '#lib/request/parse.js';
import { MAX_INGRESS_CIDRS, MIN_ENIS_PER_SUBNET } from '#lib/request/schema.js';
import { exampleRequest, minimalRequest, SUBNET_A, SUBNET_B, SUBNET_C, VPC } from './fixtures.js';

type Req = Record<string, any>;

function failure(raw: unknown): RequestInvalid {
  try {
    parseRequest(raw, 'exec-1');
  } catch (err) {
    expect(err).toBeInstanceOf(RequestInvalid);
    return err as RequestInvalid;
  }
  throw new Error('expected parseRequest to throw');
}

function withChange(change: (r: Req) => void): Req {
  const r = exampleRequest() as Req;
  change(r);
  return r;
}

const FORBIDDEN_LIST = '240.0.0.0/4, 172.17.0.0/16, 172.23.0.0/16, 10.100.0.0/16, 10.255.0.0/16';
const manyTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

describe('parseRequest: the example request and defaults', () => {
  it('accepts docs/architecture.md section 3 example unchanged', () => {
    expect(parseRequest(exampleRequest(), 'exec-1')).toEqual({
      requestId: 'pni-payments-usw2',
      environmentId: 'env-abc123',
      region: 'us-west-2',
      vpcId: VPC,
      subnetIds: [SUBNET_A, SUBNET_B, SUBNET_C],
      enisPerSubnet: 17,
      ipAssignment: { mode: 'auto' },
      securityGroup: { ingressCidrs: ['10.0.0.0/16'], egressRules: [{ cidr: '10.10.1.0/24', ports: [5432] }] },
      egressRoutes: ['10.10.0.0/16'],
      gateway: { displayName: 'payments-usw2' },
      accessPointName: 'payments-usw2',
      tags: { team: 'payments' },
    });
  });

  it('fills every default, and the requestId from the fallback', () => {
    const req = parseRequest(minimalRequest(), 'my-execution');
    expect(req).toEqual({
      requestId: 'my-execution',
      environmentId: 'env-abc123',
      region: 'us-west-2',
      vpcId: VPC,
      subnetIds: [SUBNET_A, SUBNET_B, SUBNET_C],
      enisPerSubnet: 17,
      ipAssignment: { mode: 'auto' },
      securityGroup: { egressRules: [] },
      egressRoutes: [],
      gateway: {},
      tags: {},
    });
    expect('accessPointName' in req).toBe(false);
    expect('ingressCidrs' in req.securityGroup).toBe(false);
  });

  it('defaults inside objects: empty securityGroup and gateway objects', () => {
    const req = parseRequest({ ...minimalRequest(), securityGroup: {}, gateway: {} }, 'x');
    expect(req.securityGroup).toEqual({ egressRules: [] });
    expect(req.gateway).toEqual({});
  });

  it('defaults are fresh objects on every call', () => {
    const a = parseRequest(minimalRequest(), 'a');
    (a.securityGroup as { egressRules: unknown[] }).egressRules.push({ cidr: '10.0.0.0/8', ports: [1] });
    a.tags.x = 'y';
    const b = parseRequest(minimalRequest(), 'b');
    expect(b.securityGroup).toEqual({ egressRules: [] });
    expect(b.tags).toEqual({});
  });

  it('accepts the other forms: sequential IPs, existing security group, existing gateway, GovCloud region, 8-hex ids', () => {
    const req = parseRequest(
      {
        ...minimalRequest(),
        region: 'us-gov-west-1',
        vpcId: 'vpc-0123abcd',
        subnetIds: ['subnet-0000000a', 'subnet-0000000b', 'subnet-0000000c'],
        enisPerSubnet: 20,
        ipAssignment: { mode: 'sequential', startOffset: 10 },
        securityGroup: { existingId: 'sg-0123456789abcdef0' },
        gateway: { existingId: 'gw-abc123' },
        egressRoutes: ['10.10.0.0/16', '192.168.0.0/16'],
      },
      'x',
    );
    expect(req.ipAssignment).toEqual({ mode: 'sequential', startOffset: 10 });
    expect(req.securityGroup).toEqual({ existingId: 'sg-0123456789abcdef0' });
    expect(req.gateway).toEqual({ existingId: 'gw-abc123' });
    expect(req.enisPerSubnet).toBe(20);
  });

  it('accepts the boundary values', () => {
    const req = parseRequest(
      withChange((r) => {
        r.requestId = 'a'.repeat(64);
        r.enisPerSubnet = 100;
        r.ipAssignment = { mode: 'sequential', startOffset: 4 };
        r.egressRoutes = ['10.10.0.0/16', '10.11.0.0/16', '10.12.0.0/16', '10.13.0.0/16', '10.101.0.0/16'];
        r.securityGroup.ingressCidrs = Array.from({ length: MAX_INGRESS_CIDRS }, (_, i) => `10.${i}.0.0/16`);
        r.securityGroup.egressRules = [{ cidr: '10.10.1.0/24', ports: Array.from({ length: 60 }, (_, i) => i + 1) }];
        r.tags = manyTags(40);
        r.tags['k'.repeat(127)] = 'v'.repeat(256);
        delete r.tags.k0;
        r.gateway = { displayName: 'g'.repeat(64) };
        r.accessPointName = 'a'.repeat(64);
      }),
      'x',
    );
    expect(req.enisPerSubnet).toBe(100);
    expect(MIN_ENIS_PER_SUBNET).toBe(17);
  });

  it('a requestId in the request wins over the fallback', () => {
    expect(parseRequest(exampleRequest(), 'exec-1').requestId).toBe('pni-payments-usw2');
  });

  it('the output does not share arrays with the input', () => {
    const raw = exampleRequest() as Req;
    const req = parseRequest(raw, 'x');
    req.subnetIds.push('subnet-ffffffff');
    expect(raw.subnetIds).toHaveLength(3);
  });
});

describe('parseRequest: every schema rule fails with field + rule', () => {
  const cases: [string, Req | unknown, string, string][] = [
    ['request not an object', 'hello', 'request', 'must be a JSON object (got the text "hello")'],
    ['request is a list', [], 'request', 'must be a JSON object (got a list)'],
    [
      'unknown top-level field',
      withChange((r) => {
        r.subnetId = SUBNET_A;
      }),
      'subnetId',
      'is not a known field',
    ],
    [
      'several unknown fields',
      withChange((r) => {
        r.foo = 1;
        r.bar = 2;
      }),
      'foo',
      'is not a known field (nor are "bar")',
    ],
    [
      'unknown nested field',
      withChange((r) => {
        r.securityGroup.ingress = [];
      }),
      'securityGroup.ingress',
      'is not a known field',
    ],
    [
      'unknown field in an egress rule',
      withChange((r) => {
        r.securityGroup.egressRules[0].protocol = 'tcp';
      }),
      'securityGroup.egressRules[0].protocol',
      'is not a known field',
    ],
    [
      'missing required field',
      withChange((r) => {
        delete r.environmentId;
      }),
      'environmentId',
      'is required',
    ],
    [
      'wrong type',
      withChange((r) => {
        r.region = 42;
      }),
      'region',
      'must be a string (got the number 42)',
    ],
    [
      'requestId format',
      withChange((r) => {
        r.requestId = '-bad id';
      }),
      'requestId',
      "must start with a letter or digit and hold only letters, digits, '-' and '_', at most 64 characters",
    ],
    [
      'requestId too long',
      withChange((r) => {
        r.requestId = 'a'.repeat(65);
      }),
      'requestId',
      "must start with a letter or digit and hold only letters, digits, '-' and '_', at most 64 characters",
    ],
    [
      'environmentId format',
      withChange((r) => {
        r.environmentId = 'env_ABC';
      }),
      'environmentId',
      'must be a Confluent environment id such as env-abc123',
    ],
    [
      'region format',
      withChange((r) => {
        r.region = 'US-West-2';
      }),
      'region',
      'must be an AWS region such as us-west-2',
    ],
    [
      'vpcId format',
      withChange((r) => {
        r.vpcId = 'vpc-0123456789abcdef';
      }),
      'vpcId',
      'must be a VPC id such as vpc-0123456789abcdef0',
    ],
    [
      'subnetIds not a list',
      withChange((r) => {
        r.subnetIds = SUBNET_A;
      }),
      'subnetIds',
      'must be a list (got the text "subnet-0123456789abcdefa")',
    ],
    [
      'subnetIds count',
      withChange((r) => {
        r.subnetIds = [SUBNET_A, SUBNET_B];
      }),
      'subnetIds',
      'must list exactly 3 subnets, one in each of 3 availability zones',
    ],
    [
      'subnetIds four',
      withChange((r) => {
        r.subnetIds = [SUBNET_A, SUBNET_B, SUBNET_C, 'subnet-0123456789abcdefd'];
      }),
      'subnetIds',
      'must list exactly 3 subnets, one in each of 3 availability zones',
    ],
    [
      'subnetIds element format',
      withChange((r) => {
        r.subnetIds[1] = 'subnet-XYZ';
      }),
      'subnetIds[1]',
      'must be a subnet id such as subnet-0123456789abcdef0',
    ],
    [
      'subnetIds distinct',
      withChange((r) => {
        r.subnetIds[2] = SUBNET_A;
      }),
      'subnetIds[2]',
      `${SUBNET_A} is listed twice (also subnetIds[0])`,
    ],
    [
      'enisPerSubnet below 17',
      withChange((r) => {
        r.enisPerSubnet = 16;
      }),
      'enisPerSubnet',
      'must be at least 17: 3 subnets x enisPerSubnet must give at least 51 ENIs',
    ],
    [
      'enisPerSubnet above the maximum',
      withChange((r) => {
        r.enisPerSubnet = 101;
      }),
      'enisPerSubnet',
      'must be at most 100',
    ],
    [
      'enisPerSubnet not an integer',
      withChange((r) => {
        r.enisPerSubnet = 17.5;
      }),
      'enisPerSubnet',
      'must be an integer (got the number 17.5)',
    ],
    [
      'enisPerSubnet as text',
      withChange((r) => {
        r.enisPerSubnet = '17';
      }),
      'enisPerSubnet',
      'must be a number (got the text "17")',
    ],
    [
      'ipAssignment not an object',
      withChange((r) => {
        r.ipAssignment = 'auto';
      }),
      'ipAssignment',
      'must be an object (got the text "auto")',
    ],
    [
      'ipAssignment.mode unknown',
      withChange((r) => {
        r.ipAssignment = { mode: 'static' };
      }),
      'ipAssignment.mode',
      'must be "auto" or "sequential"',
    ],
    [
      'ipAssignment.mode missing',
      withChange((r) => {
        r.ipAssignment = {};
      }),
      'ipAssignment.mode',
      'must be "auto" or "sequential"',
    ],
    [
      'sequential without startOffset',
      withChange((r) => {
        r.ipAssignment = { mode: 'sequential' };
      }),
      'ipAssignment.startOffset',
      'is required',
    ],
    [
      'startOffset inside the reserved addresses',
      withChange((r) => {
        r.ipAssignment = { mode: 'sequential', startOffset: 3 };
      }),
      'ipAssignment.startOffset',
      'must be at least 4: AWS reserves the first 4 addresses of every subnet',
    ],
    [
      'startOffset not an integer',
      withChange((r) => {
        r.ipAssignment = { mode: 'sequential', startOffset: 10.5 };
      }),
      'ipAssignment.startOffset',
      'must be an integer (got the number 10.5)',
    ],
    [
      'startOffset with mode auto',
      withChange((r) => {
        r.ipAssignment = { mode: 'auto', startOffset: 10 };
      }),
      'ipAssignment.startOffset',
      'is not a known field',
    ],
    [
      'securityGroup.existingId format',
      withChange((r) => {
        r.securityGroup = { existingId: 'sg-xyz' };
      }),
      'securityGroup.existingId',
      'must be a security group id such as sg-0123456789abcdef0',
    ],
    [
      'securityGroup both forms',
      withChange((r) => {
        r.securityGroup.existingId = 'sg-0123456789abcdef0';
      }),
      'securityGroup.existingId',
      'give either existingId (use that security group as it is) or ingressCidrs/egressRules (create one), not both',
    ],
    [
      'ingressCidrs empty',
      withChange((r) => {
        r.securityGroup.ingressCidrs = [];
      }),
      'securityGroup.ingressCidrs',
      'must list at least one CIDR block (leave it out to allow the VPC CIDR)',
    ],
    [
      'ingressCidrs too many',
      withChange((r) => {
        r.securityGroup.ingressCidrs = Array.from({ length: 31 }, (_, i) => `10.${i}.0.0/16`);
      }),
      'securityGroup.ingressCidrs',
      'at most 30 CIDR blocks: each needs one rule per port (443, 9092) and a security group holds 60 ingress rules',
    ],
    [
      'ingressCidrs invalid',
      withChange((r) => {
        r.securityGroup.ingressCidrs = ['10.0.0.0/16', '10.0.0.0'];
      }),
      'securityGroup.ingressCidrs[1]',
      'must be an IPv4 CIDR block: "10.0.0.0" is not an IPv4 CIDR block (expected address/prefix such as 10.0.0.0/16)',
    ],
    [
      'ingressCidrs duplicate',
      withChange((r) => {
        r.securityGroup.ingressCidrs = ['10.0.0.0/16', '10.0.0.0/16'];
      }),
      'securityGroup.ingressCidrs[1]',
      '10.0.0.0/16 is listed twice (also ingressCidrs[0])',
    ],
    [
      'egressRules not a list',
      withChange((r) => {
        r.securityGroup.egressRules = {};
      }),
      'securityGroup.egressRules',
      'must be a list (got an object)',
    ],
    [
      'egress rule without ports',
      withChange((r) => {
        r.securityGroup.egressRules[0].ports = [];
      }),
      'securityGroup.egressRules[0].ports',
      'must list at least one port',
    ],
    [
      'egress rule missing cidr',
      withChange((r) => {
        delete r.securityGroup.egressRules[0].cidr;
      }),
      'securityGroup.egressRules[0].cidr',
      'is required',
    ],
    [
      'egress port 0',
      withChange((r) => {
        r.securityGroup.egressRules[0].ports = [0];
      }),
      'securityGroup.egressRules[0].ports[0]',
      'must be a port number from 1 to 65535',
    ],
    [
      'egress port above 65535',
      withChange((r) => {
        r.securityGroup.egressRules[0].ports = [5432, 65536];
      }),
      'securityGroup.egressRules[0].ports[1]',
      'must be a port number from 1 to 65535',
    ],
    [
      'egress port twice in a rule',
      withChange((r) => {
        r.securityGroup.egressRules[0].ports = [5432, 5432];
      }),
      'securityGroup.egressRules[0].ports[1]',
      'port 5432 is listed twice (also ports[0])',
    ],
    [
      'egress port twice across rules',
      withChange((r) => {
        r.securityGroup.egressRules = [
          { cidr: '10.10.1.0/24', ports: [5432] },
          { cidr: '10.10.1.0/24', ports: [3306, 5432] },
        ];
      }),
      'securityGroup.egressRules[1].ports[1]',
      'port 5432 to 10.10.1.0/24 is already allowed by egressRules[0]',
    ],
    [
      'egress rules above the SG quota',
      withChange((r) => {
        r.securityGroup.egressRules = [
          { cidr: '10.10.1.0/24', ports: Array.from({ length: 40 }, (_, i) => i + 1) },
          { cidr: '10.10.2.0/24', ports: Array.from({ length: 21 }, (_, i) => i + 1) },
        ];
      }),
      'securityGroup.egressRules',
      'at most 60 (CIDR, port) pairs in all (a security group holds 60 egress rules); these make 61',
    ],
    [
      'egress rule cidr invalid',
      withChange((r) => {
        r.securityGroup.egressRules[0].cidr = '10.10.1.7/24';
      }),
      'securityGroup.egressRules[0].cidr',
      'must be an IPv4 CIDR block: "10.10.1.7/24" is not a network address (host bits are set); use 10.10.1.0/24',
    ],
    [
      'egress rule outside every route',
      withChange((r) => {
        r.securityGroup.egressRules[0].cidr = '10.20.1.0/24';
      }),
      'securityGroup.egressRules[0].cidr',
      '10.20.1.0/24 is not inside any egress route: add a route in egressRoutes that contains it, or connectors cannot reach it',
    ],
    [
      'egress rule with no routes at all',
      withChange((r) => {
        r.egressRoutes = [];
      }),
      'securityGroup.egressRules[0].cidr',
      '10.10.1.0/24 is not inside any egress route: add a route in egressRoutes that contains it, or connectors cannot reach it',
    ],
    [
      'egress rule wider than its route',
      withChange((r) => {
        r.securityGroup.egressRules[0].cidr = '10.0.0.0/8';
      }),
      'securityGroup.egressRules[0].cidr',
      '10.0.0.0/8 is not inside any egress route: add a route in egressRoutes that contains it, or connectors cannot reach it',
    ],
    [
      'more than 5 egress routes',
      withChange((r) => {
        r.egressRoutes = [
          '10.10.0.0/16',
          '10.11.0.0/16',
          '10.12.0.0/16',
          '10.13.0.0/16',
          '10.14.0.0/16',
          '10.15.0.0/16',
        ];
      }),
      'egressRoutes',
      "at most 5 egress routes (Confluent's limit per access point)",
    ],
    [
      'egress route invalid',
      withChange((r) => {
        r.egressRoutes = ['10.10.0.0/16', 'fd00::/8'];
      }),
      'egressRoutes[1]',
      'must be an IPv4 CIDR block: "fd00::/8" is not an IPv4 CIDR block (expected address/prefix such as 10.0.0.0/16)',
    ],
    [
      'egress route prefix out of range',
      withChange((r) => {
        r.egressRoutes = ['10.10.0.0/33'];
      }),
      'egressRoutes[0]',
      'must be an IPv4 CIDR block: "10.10.0.0/33" is not an IPv4 CIDR block (the prefix length must be 0..32)',
    ],
    [
      'egress route duplicate',
      withChange((r) => {
        r.egressRoutes = ['10.10.0.0/16', '10.10.0.0/16'];
      }),
      'egressRoutes[1]',
      '10.10.0.0/16 is listed twice (also egressRoutes[0])',
    ],
    [
      'egress route wider than a forbidden range',
      withChange((r) => {
        r.egressRoutes = ['10.10.0.0/16', '10.0.0.0/8'];
      }),
      'egressRoutes[1]',
      `route 10.0.0.0/8 overlaps the forbidden range 10.100.0.0/16 (Confluent does not accept routes in ${FORBIDDEN_LIST})`,
    ],
    [
      'gateway.existingId format',
      withChange((r) => {
        r.gateway = { existingId: 'gateway-1' };
      }),
      'gateway.existingId',
      'must be a Confluent gateway id such as gw-abc123',
    ],
    [
      'gateway both forms',
      withChange((r) => {
        r.gateway = { existingId: 'gw-abc123', displayName: 'x' };
      }),
      'gateway.existingId',
      'give either existingId (reuse that gateway) or displayName (create one), not both',
    ],
    [
      'gateway.displayName empty',
      withChange((r) => {
        r.gateway = { displayName: '' };
      }),
      'gateway.displayName',
      'must not be empty',
    ],
    [
      'gateway.displayName too long',
      withChange((r) => {
        r.gateway = { displayName: 'g'.repeat(65) };
      }),
      'gateway.displayName',
      'a gateway display name must be at most 64 characters',
    ],
    [
      'accessPointName empty',
      withChange((r) => {
        r.accessPointName = '';
      }),
      'accessPointName',
      'must not be empty',
    ],
    [
      'accessPointName too long',
      withChange((r) => {
        r.accessPointName = 'a'.repeat(65);
      }),
      'accessPointName',
      'an access point name must be at most 64 characters',
    ],
    [
      'tags not an object',
      withChange((r) => {
        r.tags = ['team'];
      }),
      'tags',
      'must be an object (got a list)',
    ],
    [
      'too many tags',
      withChange((r) => {
        r.tags = manyTags(41);
      }),
      'tags',
      'at most 40 tags (EC2 allows 50 per resource and the provisioner adds its own); got 41',
    ],
    [
      'empty tag key',
      withChange((r) => {
        r.tags = { '': 'x' };
      }),
      'tags[""]',
      'a tag key must not be empty',
    ],
    [
      'tag key too long',
      withChange((r) => {
        r.tags = { ['k'.repeat(128)]: 'x' };
      }),
      `tags.${'k'.repeat(128)}`,
      'a tag key must be at most 127 characters',
    ],
    [
      'tag key with aws: prefix',
      withChange((r) => {
        r.tags = { 'aws:cost': 'x' };
      }),
      'tags["aws:cost"]',
      'a tag key must not start with "aws:" (reserved by AWS)',
    ],
    [
      'tag key with AWS: prefix (any case)',
      withChange((r) => {
        r.tags = { 'AWS:cost': 'x' };
      }),
      'tags["AWS:cost"]',
      'a tag key must not start with "aws:" (reserved by AWS)',
    ],
    [
      'tag key with pni: prefix',
      withChange((r) => {
        r.tags = { 'pni:request-id': 'x' };
      }),
      'tags["pni:request-id"]',
      'a tag key must not start with "pni:" (reserved for the provisioner\'s own tags)',
    ],
    [
      'tag key Confluent',
      withChange((r) => {
        r.tags = { Confluent: 'false' };
      }),
      'tags.Confluent',
      'the tag "Confluent" is set by the provisioner',
    ],
    [
      'tag key Name',
      withChange((r) => {
        r.tags = { Name: 'mine' };
      }),
      'tags.Name',
      'the tag "Name" is set by the provisioner',
    ],
    [
      'tag value too long',
      withChange((r) => {
        r.tags = { team: 'v'.repeat(257) };
      }),
      'tags.team',
      'a tag value must be at most 256 characters',
    ],
    [
      'tag value not a string',
      withChange((r) => {
        r.tags = { cost: 12 };
      }),
      'tags.cost',
      'must be a string (got the number 12)',
    ],
    [
      'ingress from 0.0.0.0/0 without consent',
      withChange((r) => {
        r.securityGroup = { ingressCidrs: ['10.0.0.0/16', '0.0.0.0/0'] };
      }),
      'securityGroup.ingressCidrs[1]',
      '0.0.0.0/0 is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); set securityGroup.allowPublicCidrs: true to allow a public range',
    ],
    [
      'ingress from a range that only partly overlaps a private one',
      withChange((r) => {
        r.securityGroup = { ingressCidrs: ['10.0.0.0/7'] };
      }),
      'securityGroup.ingressCidrs[0]',
      '10.0.0.0/7 is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); set securityGroup.allowPublicCidrs: true to allow a public range',
    ],
    [
      'egress to a public range without consent',
      withChange((r) => {
        r.egressRoutes = ['52.0.0.0/16'];
        r.securityGroup = { egressRules: [{ cidr: '52.0.1.0/24', ports: [443] }] };
      }),
      'securityGroup.egressRules[0].cidr',
      '52.0.1.0/24 is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); set securityGroup.allowPublicCidrs: true to allow a public range',
    ],
    [
      'allowPublicCidrs with an existing security group',
      withChange((r) => {
        r.securityGroup = { existingId: 'sg-0123456789abcdef0', allowPublicCidrs: true };
      }),
      'securityGroup.existingId',
      'give either existingId (use that security group as it is) or ingressCidrs/egressRules (create one), not both',
    ],
  ];

  it.each(cases)('%s', (_name, raw, field, rule) => {
    const err = failure(raw);
    expect(err.name).toBe('RequestInvalid');
    expect({ field: err.field, rule: err.rule }).toEqual({ field, rule });
    expect(err.message).toBe(`${field}: ${rule}`);
  });

  it.each(['240.0.0.0/4', '172.17.0.0/16', '172.23.0.0/16', '10.100.0.0/16', '10.255.0.0/16'])(
    'egress route inside the forbidden range %s',
    (range) => {
      const route = range === '240.0.0.0/4' ? '250.1.0.0/16' : range.replace('/16', '/24');
      const err = failure(
        withChange((r) => {
          r.egressRoutes = [route];
          r.securityGroup.egressRules = [];
        }),
      );
      expect(err.message).toBe(
        `egressRoutes[0]: route ${route} overlaps the forbidden range ${range} (Confluent does not accept routes in ${FORBIDDEN_LIST})`,
      );
    },
  );

  it('reports the first problem in field order', () => {
    const err = failure(
      withChange((r) => {
        r.region = 'nowhere';
        r.vpcId = 'bad';
      }),
    );
    expect(err.message).toBe('region: must be an AWS region such as us-west-2');
  });

  it('never leaks zod wording', () => {
    const err = failure({ ...minimalRequest(), subnetIds: [1, 2, 3] });
    expect(err.message).toBe('subnetIds[0]: must be a string (got the number 1)');
    expect(err.message).not.toMatch(/zod|Invalid input|expected/i);
  });
});

describe('request ids from hints', () => {
  it('keeps a hint that already fits', () => {
    expect(requestIdFromHint('evt-1b2c3d4e-0000-4000-8000-000000000000')).toBe(
      'evt-1b2c3d4e-0000-4000-8000-000000000000',
    );
  });

  it('makes other hints fit, deterministically and without collisions', () => {
    const long = 'x'.repeat(80);
    const a = requestIdFromHint(long);
    expect(a).toMatch(/^x{47}-[0-9a-f]{16}$/);
    expect(requestIdFromHint(long)).toBe(a);
    expect(requestIdFromHint('x'.repeat(79))).not.toBe(a);
    expect(requestIdFromHint('my run:1')).toMatch(/^my-run-1-[0-9a-f]{16}$/);
    expect(requestIdFromHint('my run-1')).not.toBe(requestIdFromHint('my run:1'));
    expect(requestIdFromHint('')).toMatch(/^req-[0-9a-f]{16}$/);
    expect(parseRequest(minimalRequest(), long).requestId).toBe(a);
  });

  it('formats field paths', () => {
    expect(formatFieldPath([])).toBe('request');
    expect(formatFieldPath(['securityGroup', 'egressRules', 0, 'cidr'])).toBe('securityGroup.egressRules[0].cidr');
    expect(formatFieldPath(['tags', 'cost center'])).toBe('tags["cost center"]');
  });
});

describe('public CIDRs with consent (issue 8)', () => {
  it('securityGroup.allowPublicCidrs: true lets public ingress and egress through, and is kept in the canonical request', () => {
    const req = parseRequest(
      {
        ...exampleRequest(),
        egressRoutes: ['52.0.0.0/16'],
        securityGroup: {
          ingressCidrs: ['0.0.0.0/0'],
          egressRules: [{ cidr: '52.0.1.0/24', ports: [443] }],
          allowPublicCidrs: true,
        },
      },
      'x',
    );
    expect(req.securityGroup).toEqual({
      ingressCidrs: ['0.0.0.0/0'],
      egressRules: [{ cidr: '52.0.1.0/24', ports: [443] }],
      allowPublicCidrs: true,
    });
  });

  it('allowPublicCidrs: false (or absent) leaves the canonical request as before', () => {
    const req = parseRequest({ ...exampleRequest(), securityGroup: { egressRules: [], allowPublicCidrs: false } }, 'x');
    expect(req.securityGroup).toEqual({ egressRules: [] });
  });
});
