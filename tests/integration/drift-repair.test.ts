/**
 * (day 2) Drift and repair on the sandbox: break a live connection by hand (a permission, an SG rule, an ENI, an
 * extra permission for another account), check that the drift machine reports exactly that difference (result,
 * record, "PNI Drift Detected"), then that the repair machine brings the sandbox back to the desired state.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfacePermissionCommand,
  DeleteNetworkInterfaceCommand,
  DeleteNetworkInterfacePermissionCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { SEED } from '#sandbox/seed.js';
import { Harness, eventsFor, sampleRequest } from './harness.js';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { SANDBOX_STATE_TABLE } from '#sandbox/server.js';
import { provisioned, runDay2, schemaErrors, userEc2 } from './day2-helpers.js';

const ID = 'pni-it-drift';
const OTHER_ACCOUNT = '123456789012';
const GW_ACCOUNT = SEED.confluent.gatewayAccountId;

let h: Harness;
let ec2: EC2Client;
let conn: Awaited<ReturnType<typeof provisioned>>;
beforeAll(async () => {
  h = await Harness.start();
  ec2 = userEc2(h);
  conn = await provisioned(h, sampleRequest({ requestId: ID }));
}, 120_000);
afterAll(async () => {
  ec2.destroy();
  await h.stop();
});

async function drift() {
  const run = await runDay2(h, 'drift', { requestId: ID });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.result.results).toHaveLength(1);
  return run.result.results[0];
}

/** The connection as the sandbox holds it, in the terms of the desired state. */
async function expectInSyncSandbox(): Promise<void> {
  const state = await h.state();
  const enis = state.ec2.networkInterfaces.filter((e) =>
    e.TagSet.some((t: { Key: string; Value: string }) => t.Key === 'pni:request-id' && t.Value === ID),
  );
  expect(enis).toHaveLength(51);
  const ids = new Set(enis.map((e) => e.NetworkInterfaceId));
  const perms = state.ec2.networkInterfacePermissions.filter((p) => ids.has(p.NetworkInterfaceId));
  expect(perms).toHaveLength(51);
  for (const p of perms) expect(p).toMatchObject({ AwsAccountId: GW_ACCOUNT, Permission: 'INSTANCE-ATTACH' });
  const sg = state.ec2.securityGroups.find((g) => g.GroupId === conn.securityGroupId);
  const rules = sg.IpPermissions.map((p: any) => `${p.FromPort}:${p.IpRanges.map((r: any) => r.CidrIp).join(',')}`);
  expect(rules.sort()).toEqual([`443:${SEED.vpc.cidr}`, `9092:${SEED.vpc.cidr}`]);
  expect(sg.IpPermissionsEgress).toEqual([]);
  const ap = state.confluent.accessPoints.find((a) => a.id === conn.accessPointId);
  expect(ap.status.phase).toBe('READY');
  expect(new Set(ap.spec.config.network_interfaces)).toEqual(ids);
}

test('a fresh connection is in sync: no differences, no event, the check stored on the record', async () => {
  const r = await drift();
  expect(r).toMatchObject({ requestId: ID, checked: true, inSync: true, differences: [] });
  const rec = await h.record(ID);
  expect(rec?.lastDriftCheck).toMatchObject({ inSync: true, differenceCount: 0, checkedAt: r.checkedAt });
  expect(eventsFor(await h.state(), ID).filter((e) => e.type === 'PNI Drift Detected')).toEqual([]);
});

type Breakage = {
  name: string;
  breakIt: () => Promise<{ expected: unknown[] }>;
};
const breakages: Breakage[] = [
  {
    name: 'a deleted INSTANCE-ATTACH permission',
    breakIt: async () => {
      const state = await h.state();
      const eniId = conn.eniIds[7];
      const perm = state.ec2.networkInterfacePermissions.find((p) => p.NetworkInterfaceId === eniId);
      await ec2.send(
        new DeleteNetworkInterfacePermissionCommand({
          NetworkInterfacePermissionId: perm.NetworkInterfacePermissionId,
          Force: true,
        }),
      );
      return {
        expected: [
          {
            resource: 'networkInterfacePermission',
            id: eniId,
            expected: `INSTANCE-ATTACH for ${GW_ACCOUNT}`,
            actual: 'none',
          },
        ],
      };
    },
  },
  {
    name: 'a deleted security group rule',
    breakIt: async () => {
      await ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: conn.securityGroupId,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9092, ToPort: 9092, IpRanges: [{ CidrIp: SEED.vpc.cidr }] }],
        }),
      );
      // and one added by hand: "exactly" means extra rules are drift too
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: conn.securityGroupId,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );
      return {
        expected: [
          {
            resource: 'securityGroupRule',
            id: conn.securityGroupId,
            expected: `ingress tcp 9092 from ${SEED.vpc.cidr}`,
            actual: 'missing',
          },
          {
            resource: 'securityGroupRule',
            id: conn.securityGroupId,
            expected: 'absent',
            actual: 'ingress tcp 22 from 0.0.0.0/0',
          },
        ],
      };
    },
  },
  {
    name: 'a deleted ENI',
    breakIt: async () => {
      const rows = await h.eniRecords(ID);
      const row = rows.find((r) => r.slot === 20)!;
      await fetch(`${h.sb.url}/_sandbox/ec2/detach`, {
        method: 'POST',
        body: JSON.stringify({ networkInterfaceId: row.eniId }),
      });
      await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: row.eniId }));
      return {
        expected: [
          {
            resource: 'networkInterface',
            id: row.eniId,
            expected: `exists in ${row.subnetId} with ${conn.securityGroupId} (slot 20)`,
            actual: 'missing',
          },
        ],
      };
    },
  },
  {
    name: 'an extra permission for another account',
    breakIt: async () => {
      const rows = await h.eniRecords(ID);
      const eniId = rows.find((r) => r.slot === 3)!.eniId;
      const out = await ec2.send(
        new CreateNetworkInterfacePermissionCommand({
          NetworkInterfaceId: eniId,
          Permission: 'INSTANCE-ATTACH',
          AwsAccountId: OTHER_ACCOUNT,
        }),
      );
      return {
        expected: [
          {
            resource: 'networkInterfacePermission',
            id: out.InterfacePermission!.NetworkInterfacePermissionId,
            expected: 'none',
            actual: `INSTANCE-ATTACH for ${OTHER_ACCOUNT} on ${eniId}`,
          },
        ],
      };
    },
  },
];

test.each(breakages)(
  '$name: detected with the right differences, then repaired back to in sync',
  async ({ breakIt }) => {
    const before = eventsFor(await h.state(), ID).length;
    const { expected } = await breakIt();

    const r = await drift();
    expect(r).toMatchObject({ checked: true, inSync: false });
    expect(r.differences).toEqual(expected);
    const rec = await h.record(ID);
    expect(rec?.lastDriftCheck).toMatchObject({
      inSync: false,
      differenceCount: expected.length,
      differences: expected,
    });
    const drifted = eventsFor(await h.state(), ID)
      .slice(before)
      .filter((e) => e.type === 'PNI Drift Detected');
    expect(drifted).toHaveLength(1);
    expect(drifted[0].detail).toMatchObject({
      requestId: ID,
      differences: expected,
      accessPointId: conn.accessPointId,
    });

    const repair = await runDay2(h, 'repair', { requestId: ID });
    expect({ status: repair.status, error: repair.error, cause: repair.cause }).toMatchObject({ status: 'SUCCEEDED' });
    expect(repair.result).toMatchObject({ outcome: 'SUCCEEDED', differences: [], unrepaired: [] });
    expect(repair.result.repaired.length).toBeGreaterThanOrEqual(1);
    const after = eventsFor(await h.state(), ID).slice(before);
    expect(after.map((e) => e.type)).toEqual(['PNI Drift Detected', 'PNI Repair Succeeded']);
    expect(await h.lockHolder(SEED.confluent.environments[0], SEED.vpc.vpcId)).toBeUndefined();

    await expectInSyncSandbox();
    expect(await drift()).toMatchObject({ checked: true, inSync: true, differences: [] });
    expect((await h.record(ID))?.lastRepair).toMatchObject({ outcome: 'SUCCEEDED' });
  },
);

test('a repaired ENI keeps its slot: same subnet, name and security group, recorded on the slot', async () => {
  const rows = await h.eniRecords(ID);
  const row = rows.find((r) => r.slot === 20)!;
  const eni = (await h.state()).ec2.networkInterfaces.find((e) => e.NetworkInterfaceId === row.eniId);
  expect(eni.SubnetId).toBe(row.subnetId);
  expect(eni.TagSet).toEqual(
    expect.arrayContaining([
      { Key: 'Name', Value: `pni-${ID}-sub-1-eni-4` },
      { Key: 'pni:slot', Value: '20' },
    ]),
  );
  expect(row.status).toBe('PERMITTED');
  expect(conn.eniIds).not.toContain(row.eniId);
});

test('repair and drift of an unknown request: a clear no-op (PNI Request Not Found for the repair)', async () => {
  const repair = await runDay2(h, 'repair', { requestId: 'pni-nobody' });
  expect(repair.status).toBe('SUCCEEDED');
  expect(repair.result).toMatchObject({ noop: true, reason: expect.stringContaining('no request with id pni-nobody') });
  expect(eventsFor(await h.state(), 'pni-nobody').map((e) => [e.type, e.detail.action])).toEqual([
    ['PNI Request Not Found', 'repair'],
  ]);
  const r = await runDay2(h, 'drift', { requestId: 'pni-nobody' });
  expect(r.result.results[0]).toMatchObject({ checked: false, reason: expect.stringContaining('no request') });
});

test('a repair waits for nobody: while another holds the (environment, VPC) lock it is refused (RequestLocked), announced, and changes nothing', async () => {
  const env = SEED.confluent.environments[0];
  await h.doc.send(
    new PutCommand({
      TableName: SANDBOX_STATE_TABLE,
      Item: {
        pk: `LOCK#${env}#${SEED.vpc.vpcId}`,
        sk: 'LOCK',
        holder: 'pni-someone-else',
        environmentId: env,
        vpcId: SEED.vpc.vpcId,
        updatedAt: '',
      },
    }),
  );
  const before = eventsFor(await h.state(), ID).length;
  const repair = await runDay2(h, 'repair', { requestId: ID });
  expect(repair.status).toBe('FAILED');
  expect(repair.error).toBe('RequestLocked');
  const events = eventsFor(await h.state(), ID).slice(before);
  expect(events.map((e) => [e.type, e.detail.error?.name])).toEqual([['PNI Repair Failed', 'RequestLocked']]);
  expect(await h.lockHolder(env, SEED.vpc.vpcId)).toBe('pni-someone-else');
});

test('every event emitted in this file matches its JSON Schema', async () => {
  expect(schemaErrors(await h.state())).toEqual([]);
});
