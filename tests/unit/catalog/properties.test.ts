/** The Service Catalog product's properties -> THE request contract, and the deterministic request id. */
import { RequestInvalid } from '#lib/errors.js';
import {
  CATALOG_PROPERTIES,
  catalogRequest,
  propertyOfField,
  regionOfStack,
  requestFromProperties,
} from '#lib/catalog/properties.js';
import { normalizeInput, serviceCatalogRequestId } from '#lib/request/parse.js';
import { immutableChanges, planUpdate } from '#lib/update/diff.js';

const ids = {
  stackId:
    'arn:aws:cloudformation:us-west-2:111122223333:stack/SC-111122223333-pp-abc/0f0e0d0c-1111-2222-3333-444455556666',
  logicalResourceId: 'PniConnection',
};
const props = (overrides: Record<string, unknown> = {}) => ({
  ServiceToken: 'arn:aws:lambda:us-west-2:111122223333:function:pni-provisioner-prod-serviceCatalogResource',
  EnvironmentId: 'env-sandbox1',
  VpcId: 'vpc-0a1b2c3d4e5f60718',
  SubnetIds: ['subnet-0a1a1a1a1a1a1a1a1', 'subnet-0b2b2b2b2b2b2b2b2', 'subnet-0c3c3c3c3c3c3c3c3'],
  EnisPerSubnet: '17',
  IngressCidrs: [''],
  EgressRoutes: [''],
  GatewayId: '',
  GatewayName: '',
  AccessPointName: '',
  ...overrides,
});
const invalid = (fn: () => unknown): { field: string; rule: string } => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RequestInvalid) return { field: err.field, rule: err.rule };
    throw err;
  }
  throw new Error('expected RequestInvalid');
};

describe('deterministic request id', () => {
  test('from StackId + LogicalResourceId: stable, fits the request id format, differs per resource', () => {
    const a = serviceCatalogRequestId(ids.stackId, 'PniConnection');
    expect(a).toMatch(/^sc-[0-9a-f]{16}$/);
    expect(serviceCatalogRequestId(ids.stackId, 'PniConnection')).toBe(a);
    expect(serviceCatalogRequestId(ids.stackId, 'Other')).not.toBe(a);
    expect(serviceCatalogRequestId(`${ids.stackId}x`, 'PniConnection')).not.toBe(a);
  });
  test('the same id normalizeInput gives a servicecatalog input, and the one the mapping puts in the request', () => {
    const a = serviceCatalogRequestId(ids.stackId, ids.logicalResourceId);
    expect(
      normalizeInput(
        { source: 'servicecatalog', cfn: { StackId: ids.stackId, LogicalResourceId: 'PniConnection' } },
        'x',
      ).requestIdHint,
    ).toBe(a);
    expect(catalogRequest(props(), ids).requestId).toBe(a);
  });
});

describe('property mapping', () => {
  test('strings become numbers and lists; blanks (an empty CommaDelimitedList is [""]) are left out; region from the stack', () => {
    expect(requestFromProperties(props(), ids)).toEqual({
      requestId: serviceCatalogRequestId(ids.stackId, ids.logicalResourceId),
      environmentId: 'env-sandbox1',
      region: 'us-west-2',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetIds: ['subnet-0a1a1a1a1a1a1a1a1', 'subnet-0b2b2b2b2b2b2b2b2', 'subnet-0c3c3c3c3c3c3c3c3'],
      enisPerSubnet: 17,
    });
  });
  test('every property has its request field', () => {
    const req = requestFromProperties(
      props({
        EnisPerSubnet: '20',
        IngressCidrs: ['10.0.0.0/16', ' 10.1.0.0/16 '],
        EgressRoutes: '10.50.0.0/16,10.60.0.0/16',
        GatewayName: 'payments',
        AccessPointName: 'payments-ap',
      }),
      ids,
    );
    expect(req).toMatchObject({
      enisPerSubnet: 20,
      securityGroup: { ingressCidrs: ['10.0.0.0/16', '10.1.0.0/16'], egressRules: [] },
      egressRoutes: ['10.50.0.0/16', '10.60.0.0/16'],
      gateway: { displayName: 'payments' },
      accessPointName: 'payments-ap',
    });
    expect(requestFromProperties(props({ GatewayId: 'gw-abc123' }), ids).gateway).toEqual({ existingId: 'gw-abc123' });
    expect(CATALOG_PROPERTIES).toHaveLength(9);
  });
  test('the canonical request (THE schema, defaults applied)', () => {
    const req = catalogRequest(props(), ids);
    expect(req).toMatchObject({
      enisPerSubnet: 17,
      ipAssignment: { mode: 'auto' },
      egressRoutes: [],
      gateway: {},
      tags: {},
    });
  });

  test.each([
    ['EnvironmentId', { EnvironmentId: 'prod' }, 'EnvironmentId', /Confluent environment id/],
    ['VpcId', { VpcId: 'vpc-xyz' }, 'VpcId', /VPC id/],
    ['VpcId missing', { VpcId: '' }, 'VpcId', /is required/],
    ['SubnetIds count', { SubnetIds: ['subnet-0a1a1a1a1a1a1a1a1'] }, 'SubnetIds', /exactly 3 subnets/],
    [
      'SubnetIds item',
      { SubnetIds: ['subnet-0a1a1a1a1a1a1a1a1', 'nope', 'subnet-0c3c3c3c3c3c3c3c3'] },
      'SubnetIds[1]',
      /subnet id/,
    ],
    ['EnisPerSubnet not a number', { EnisPerSubnet: 'seventeen' }, 'EnisPerSubnet', /whole number/],
    ['EnisPerSubnet too small', { EnisPerSubnet: '3' }, 'EnisPerSubnet', /at least 17/],
    ['IngressCidrs', { IngressCidrs: ['10.0.0.0/33'] }, 'IngressCidrs[0]', /IPv4 CIDR/],
    ['EgressRoutes forbidden', { EgressRoutes: ['10.100.0.0/16'] }, 'EgressRoutes[0]', /forbidden range/],
    [
      'EgressRoutes too many',
      { EgressRoutes: ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16', '10.5.0.0/16', '10.6.0.0/16'] },
      'EgressRoutes',
      /at most 5/,
    ],
    ['GatewayId', { GatewayId: 'gateway-1' }, 'GatewayId', /gateway id/],
    ['GatewayId and GatewayName', { GatewayId: 'gw-abc', GatewayName: 'x' }, 'GatewayId', /either existingId/],
    ['AccessPointName', { AccessPointName: 'x'.repeat(65) }, 'AccessPointName', /at most 64/],
    ['unknown property', { Subnets: 'x' }, 'Subnets', /not a property of the PNI connection/],
    ['not text', { VpcId: { Ref: 'x' } }, 'VpcId', /text value/],
  ])('%s is named', (_name, overrides, field, rule) => {
    const err = invalid(() => catalogRequest(props(overrides), ids));
    expect(err.field).toBe(field);
    expect(err.rule).toMatch(rule);
  });

  test('a stack id that is not a CloudFormation ARN is named', () => {
    expect(invalid(() => regionOfStack('stack-1')).field).toBe('StackId');
  });
  test('request fields map back to product properties', () => {
    expect(propertyOfField('securityGroup.ingressCidrs[2]')).toBe('IngressCidrs[2]');
    expect(propertyOfField('gateway.displayName')).toBe('GatewayName');
    expect(propertyOfField('subnetIds[0]')).toBe('SubnetIds[0]');
    expect(propertyOfField('tags')).toBe('tags');
  });
});

describe('what an update may change', () => {
  const current = {
    ...catalogRequest(props(), ids),
    securityGroup: { ingressCidrs: ['10.0.0.0/16'], egressRules: [] },
  };
  test('routes and ingress are in place; everything else is named', () => {
    const next = catalogRequest(props({ EgressRoutes: ['10.50.0.0/16'], IngressCidrs: ['10.9.0.0/16'] }), ids);
    expect(immutableChanges(current, next)).toEqual([]);
    expect(
      immutableChanges(current, catalogRequest(props({ VpcId: 'vpc-0f9e8d7c6b5a49382', EnisPerSubnet: '18' }), ids)),
    ).toEqual(['vpcId', 'enisPerSubnet']);
  });
  test('exactly the difference: routes replaced whole, ingress rules added and removed per port', () => {
    const next = {
      ...current,
      egressRoutes: ['10.50.0.0/16'],
      securityGroup: { ingressCidrs: ['10.0.0.0/16', '10.9.0.0/16'], egressRules: [] },
    };
    expect(planUpdate(current, next)).toEqual({
      routes: { from: [], to: ['10.50.0.0/16'], changed: true },
      ingress: {
        add: [
          { cidr: '10.9.0.0/16', port: 443 },
          { cidr: '10.9.0.0/16', port: 9092 },
        ],
        remove: [],
      },
    });
    expect(planUpdate(current, current)).toEqual({
      routes: { from: [], to: [], changed: false },
      ingress: { add: [], remove: [] },
    });
  });
});
