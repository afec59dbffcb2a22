/** (day 2) Desired state vs what exists: the pure part of drift (functions/lib/connection.ts). */
import { compare, desiredRules, desiredState, ruleKey, type ObservedState } from '#lib/connection.js';
import type { EniRecord, RequestRecord } from '#lib/state.js';
import type { CanonicalRequest } from '#lib/types.js';

const request: CanonicalRequest = {
  requestId: 'pni-x',
  environmentId: 'env-a1',
  region: 'us-west-2',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b', 'subnet-0000000000000000c'],
  enisPerSubnet: 1,
  ipAssignment: { mode: 'auto' },
  securityGroup: { ingressCidrs: ['10.0.0.0/16'], egressRules: [{ cidr: '10.9.0.0/24', ports: [5432] }] },
  egressRoutes: ['10.9.0.0/16'],
  gateway: {},
  tags: {},
};
const rec = {
  pk: 'REQUEST#pni-x',
  sk: 'META',
  requestId: 'pni-x',
  status: 'SUCCEEDED',
  source: 'console',
  request,
  environmentId: 'env-a1',
  vpcId: request.vpcId,
  region: 'us-west-2',
  executionArn: 'arn:aws:states:us-west-2:111122223333:execution:p:pni-x',
  attempt: 2,
  attemptStartedAt: '2026-01-01T00:00:00.000Z',
  gatewayId: 'gw-1',
  confluentAccount: '999988887777',
  securityGroupId: 'sg-0000000000000000a',
  securityGroupCreatedByUs: true,
  accessPointId: 'ap-1',
  createdAt: '',
  updatedAt: '',
  version: 3,
} as RequestRecord;
const row = (slot: number, eniId: string, over: Partial<EniRecord> = {}): EniRecord => ({
  pk: 'REQUEST#pni-x',
  sk: `ENI#00${slot}`,
  requestId: 'pni-x',
  attempt: 2,
  slot,
  subnetId: request.subnetIds[slot],
  zoneId: `usw2-az${slot + 1}`,
  eniId,
  status: 'PERMITTED',
  updatedAt: '',
  ...over,
});
const rows = [row(0, 'eni-a'), row(1, 'eni-b'), row(2, 'eni-c'), row(2, 'eni-old', { attempt: 1 })];

function inSync(): ObservedState {
  const d = desiredState(rec, rows);
  return {
    enis: d.enis.map((e) => ({
      eniId: e.eniId,
      subnetId: e.subnetId,
      groups: [rec.securityGroupId ?? ''],
      status: 'in-use',
    })),
    permissions: d.enis.map((e, i) => ({
      permissionId: `eni-perm-${i}`,
      eniId: e.eniId,
      account: '999988887777',
      permission: 'INSTANCE-ATTACH',
      state: 'GRANTED',
    })),
    securityGroup: { groupId: d.securityGroupId, rules: desiredRules(request) },
    accessPoint: { phase: 'READY', networkInterfaces: ['eni-c', 'eni-b', 'eni-a'], egressRoutes: ['10.9.0.0/16'] },
    gateway: { phase: 'READY' },
  };
}

test("the desired state: the current attempt's ENIs, the rules of a group we created, the routes", () => {
  const d = desiredState(rec, rows);
  expect(d.enis.map((e) => e.eniId)).toEqual(['eni-a', 'eni-b', 'eni-c']);
  expect(d.rules.map(ruleKey)).toEqual([
    'ingress tcp 443 from 10.0.0.0/16',
    'ingress tcp 9092 from 10.0.0.0/16',
    'egress tcp 5432 to 10.9.0.0/24',
  ]);
  expect(d.egressRoutes).toEqual(['10.9.0.0/16']);
});

test('in sync: no differences (order of listed ENIs does not matter)', () => {
  expect(compare(desiredState(rec, rows), inSync())).toEqual([]);
});

test('each kind of difference, in a stable order', () => {
  const o = inSync();
  o.enis = o.enis.filter((e) => e.eniId !== 'eni-c');
  o.enis[1] = { ...o.enis[1], groups: ['sg-0000000000000000a', 'sg-0000000000000000f'] };
  o.permissions = [
    ...o.permissions.filter((p) => p.eniId !== 'eni-a'),
    {
      permissionId: 'eni-perm-x',
      eniId: 'eni-b',
      account: '123456789012',
      permission: 'INSTANCE-ATTACH',
      state: 'GRANTED',
    },
    {
      permissionId: 'eni-perm-y',
      eniId: 'eni-b',
      account: '123456789012',
      permission: 'INSTANCE-ATTACH',
      state: 'REVOKED',
    },
  ];
  o.securityGroup = {
    groupId: 'sg-0000000000000000a',
    rules: [
      ...desiredRules(request).filter((r) => r.fromPort !== 9092),
      { direction: 'egress', protocol: '-1', peer: '0.0.0.0/0', peerKind: 'cidr' },
    ],
  };
  o.accessPoint = { phase: 'DEGRADED', networkInterfaces: ['eni-a', 'eni-b', 'eni-z'], egressRoutes: [] };
  o.gateway = null;
  expect(compare(desiredState(rec, rows), o)).toEqual([
    {
      resource: 'networkInterface',
      id: 'eni-b',
      expected: 'security groups sg-0000000000000000a',
      actual: 'security groups sg-0000000000000000a, sg-0000000000000000f',
    },
    {
      resource: 'networkInterface',
      id: 'eni-c',
      expected: `exists in ${request.subnetIds[2]} with sg-0000000000000000a (slot 2)`,
      actual: 'missing',
    },
    {
      resource: 'networkInterfacePermission',
      id: 'eni-a',
      expected: 'INSTANCE-ATTACH for 999988887777',
      actual: 'none',
    },
    {
      resource: 'networkInterfacePermission',
      id: 'eni-perm-x',
      expected: 'none',
      actual: 'INSTANCE-ATTACH for 123456789012 on eni-b',
    },
    {
      resource: 'securityGroupRule',
      id: 'sg-0000000000000000a',
      expected: 'ingress tcp 9092 from 10.0.0.0/16',
      actual: 'missing',
    },
    {
      resource: 'securityGroupRule',
      id: 'sg-0000000000000000a',
      expected: 'absent',
      actual: 'egress all traffic to 0.0.0.0/0',
    },
    { resource: 'accessPoint', id: 'ap-1', expected: 'READY', actual: 'DEGRADED' },
    { resource: 'accessPoint', id: 'ap-1', expected: 'lists eni-c', actual: 'not listed' },
    { resource: 'accessPoint', id: 'ap-1', expected: 'does not list eni-z', actual: 'lists eni-z' },
    { resource: 'accessPoint', id: 'ap-1', expected: 'egress routes 10.9.0.0/16', actual: 'egress routes (none)' },
    { resource: 'gateway', id: 'gw-1', expected: 'READY', actual: 'missing' },
  ]);
});

test('an existing security group (securityGroup.existingId) is not ours: its rules are not compared', () => {
  const o = inSync();
  o.securityGroup = { groupId: 'sg-0000000000000000a', rules: [] };
  expect(compare(desiredState({ ...rec, securityGroupCreatedByUs: false }, rows), o)).toEqual([]);
});

test('a record without a complete connection is not a desired state', () => {
  expect(() => desiredState({ ...rec, accessPointId: undefined }, rows)).toThrow(
    expect.objectContaining({ name: 'ConnectionNotLive' }),
  );
});
