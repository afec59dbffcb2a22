/** ENI permissions: create / describe / delete, Force against a simulated attachment, hooks. */
import {
  CreateNetworkInterfaceCommand,
  CreateNetworkInterfacePermissionCommand,
  DeleteNetworkInterfaceCommand,
  DeleteNetworkInterfacePermissionCommand,
  DescribeNetworkInterfacePermissionsCommand,
  paginateDescribeNetworkInterfacePermissions,
} from '@aws-sdk/client-ec2';
import { CONFLUENT, ec2Error, startHarness, SUBNET_A, SUBNET_B, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.emulator.reset();
  h.faults.clear();
});

async function eni(subnet: string = SUBNET_A): Promise<string> {
  const out = await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet }));
  return out.NetworkInterface?.NetworkInterfaceId ?? '';
}
async function grant(eniId: string, account: string = CONFLUENT): Promise<string> {
  const out = await h.ec2.send(
    new CreateNetworkInterfacePermissionCommand({
      NetworkInterfaceId: eniId,
      Permission: 'INSTANCE-ATTACH',
      AwsAccountId: account,
    }),
  );
  return out.InterfacePermission?.NetworkInterfacePermissionId ?? '';
}

test('create: eni-perm- id, GRANTED, fields', async () => {
  const id = await eni();
  const out = await h.ec2.send(
    new CreateNetworkInterfacePermissionCommand({
      NetworkInterfaceId: id,
      Permission: 'INSTANCE-ATTACH',
      AwsAccountId: CONFLUENT,
    }),
  );
  expect(out.InterfacePermission).toEqual({
    NetworkInterfacePermissionId: expect.stringMatching(/^eni-perm-[0-9a-f]{17}$/),
    NetworkInterfaceId: id,
    AwsAccountId: CONFLUENT,
    Permission: 'INSTANCE-ATTACH',
    PermissionState: { State: 'GRANTED' },
  });
  expect(h.emulator.permissionsFor('us-west-2', id)).toEqual([
    {
      networkInterfacePermissionId: out.InterfacePermission?.NetworkInterfacePermissionId,
      awsAccountId: CONFLUENT,
      permission: 'INSTANCE-ATTACH',
      state: 'GRANTED',
    },
  ]);
});

test('create: validation, unknown ENI, duplicate grant', async () => {
  const id = await eni();
  const nf = await ec2Error(
    h.ec2.send(
      new CreateNetworkInterfacePermissionCommand({
        NetworkInterfaceId: 'eni-00000000000000bad',
        Permission: 'INSTANCE-ATTACH',
        AwsAccountId: CONFLUENT,
      }),
    ),
  );
  expect(nf.name).toBe('InvalidNetworkInterfaceID.NotFound');
  const acct = await ec2Error(
    h.ec2.send(
      new CreateNetworkInterfacePermissionCommand({
        NetworkInterfaceId: id,
        Permission: 'INSTANCE-ATTACH',
        AwsAccountId: '1234',
      }),
    ),
  );
  expect(acct.name).toBe('InvalidParameterValue');
  const perm = await ec2Error(
    h.ec2.send(
      new CreateNetworkInterfacePermissionCommand({
        NetworkInterfaceId: id,
        Permission: 'FLY' as 'INSTANCE-ATTACH',
        AwsAccountId: CONFLUENT,
      }),
    ),
  );
  expect(perm.name).toBe('InvalidParameterValue');
  const noAcct = await ec2Error(
    h.ec2.send(new CreateNetworkInterfacePermissionCommand({ NetworkInterfaceId: id, Permission: 'INSTANCE-ATTACH' })),
  );
  expect(noAcct.name).toBe('MissingParameter');
  await grant(id);
  const dup = await ec2Error(
    h.ec2.send(
      new CreateNetworkInterfacePermissionCommand({
        NetworkInterfaceId: id,
        Permission: 'INSTANCE-ATTACH',
        AwsAccountId: CONFLUENT,
      }),
    ),
  );
  expect(dup.name).toBe('InvalidPermission.Duplicate');
  const dry = await ec2Error(
    h.ec2.send(
      new CreateNetworkInterfacePermissionCommand({
        NetworkInterfaceId: id,
        Permission: 'INSTANCE-ATTACH',
        AwsAccountId: CONFLUENT,
        DryRun: true,
      }),
    ),
  );
  expect(dry.$metadata.httpStatusCode).toBe(412);
});

test('describe: by ids (unknown -> NotFound), filters, MaxResults 5-255, pagination', async () => {
  const enis = [await eni(), await eni(SUBNET_B)];
  const perms: string[] = [];
  for (let i = 0; i < 6; i++) perms.push(await grant(enis[i % 2], `00000000000${i}`));
  const byId = await h.ec2.send(
    new DescribeNetworkInterfacePermissionsCommand({ NetworkInterfacePermissionIds: [perms[2]] }),
  );
  expect(byId.NetworkInterfacePermissions?.map((p) => p.AwsAccountId)).toEqual(['000000000002']);
  const nf = await ec2Error(
    h.ec2.send(
      new DescribeNetworkInterfacePermissionsCommand({
        NetworkInterfacePermissionIds: [perms[0], 'eni-perm-00000000000000bad'],
      }),
    ),
  );
  expect(nf.name).toBe('InvalidNetworkInterfacePermissionID.NotFound');
  const f = (Name: string, Values: string[]) =>
    h.ec2.send(new DescribeNetworkInterfacePermissionsCommand({ Filters: [{ Name, Values }] }));
  expect(
    (await f('network-interface-permission.network-interface-id', [enis[1]])).NetworkInterfacePermissions?.map(
      (p) => p.NetworkInterfacePermissionId,
    ),
  ).toEqual([perms[1], perms[3], perms[5]]);
  expect(
    (await f('network-interface-permission.aws-account-id', ['000000000004', '000000000005']))
      .NetworkInterfacePermissions,
  ).toHaveLength(2);
  expect((await f('network-interface-permission.permission', ['EIP-ASSOCIATE'])).NetworkInterfacePermissions).toEqual(
    [],
  );
  expect(
    (await f('network-interface-permission.network-interface-permission-id', [perms[0]])).NetworkInterfacePermissions,
  ).toHaveLength(1);
  const badFilter = await ec2Error(f('network-interface-id', [enis[0]]));
  expect(badFilter.name).toBe('InvalidParameterValue');
  for (const MaxResults of [4, 256]) {
    const e = await ec2Error(h.ec2.send(new DescribeNetworkInterfacePermissionsCommand({ MaxResults })));
    expect(e.name).toBe('InvalidParameterValue');
  }
  const pages: number[] = [];
  for await (const p of paginateDescribeNetworkInterfacePermissions({ client: h.ec2, pageSize: 5 }, {}))
    pages.push(p.NetworkInterfacePermissions?.length ?? 0);
  expect(pages).toEqual([5, 1]);
});

test('describe without MaxResults returns at most 50 and a NextToken', async () => {
  const id = await eni();
  for (let i = 0; i < 51; i++) await grant(id, String(100000000000 + i));
  const first = await h.ec2.send(new DescribeNetworkInterfacePermissionsCommand({}));
  expect(first.NetworkInterfacePermissions).toHaveLength(50);
  expect(first.NextToken).toBeTruthy();
  const rest = await h.ec2.send(new DescribeNetworkInterfacePermissionsCommand({ NextToken: first.NextToken }));
  expect(rest.NetworkInterfacePermissions).toHaveLength(1);
  expect(rest.NextToken).toBeUndefined();
});

test('delete: unknown -> NotFound; attached -> error unless Force', async () => {
  const id = await eni();
  const perm = await grant(id);
  const nf = await ec2Error(
    h.ec2.send(
      new DeleteNetworkInterfacePermissionCommand({ NetworkInterfacePermissionId: 'eni-perm-00000000000000bad' }),
    ),
  );
  expect(nf.name).toBe('InvalidNetworkInterfacePermissionID.NotFound');
  h.emulator.attach('us-west-2', id, CONFLUENT);
  const blocked = await ec2Error(
    h.ec2.send(new DeleteNetworkInterfacePermissionCommand({ NetworkInterfacePermissionId: perm })),
  );
  expect(blocked.name).toBe('OperationNotPermitted');
  expect(h.emulator.permissionsFor('us-west-2', id)).toHaveLength(1);
  const out = await h.ec2.send(
    new DeleteNetworkInterfacePermissionCommand({ NetworkInterfacePermissionId: perm, Force: true }),
  );
  expect(out.Return).toBe(true);
  expect(h.emulator.permissionsFor('us-west-2', id)).toEqual([]);
  expect(h.emulator.getNetworkInterface('us-west-2', id)?.attachedBy).toBe(CONFLUENT); // the attachment stays
});

test('delete when not attached works without Force', async () => {
  const id = await eni();
  const perm = await grant(id);
  await h.ec2.send(new DeleteNetworkInterfacePermissionCommand({ NetworkInterfacePermissionId: perm }));
  const again = await ec2Error(
    h.ec2.send(new DeleteNetworkInterfacePermissionCommand({ NetworkInterfacePermissionId: perm })),
  );
  expect(again.name).toBe('InvalidNetworkInterfacePermissionID.NotFound');
});

test('deleting the ENI removes its permissions', async () => {
  const id = await eni();
  const perm = await grant(id);
  await h.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id }));
  expect(h.emulator.permissionsFor('us-west-2', id)).toEqual([]);
  const e = await ec2Error(
    h.ec2.send(new DescribeNetworkInterfacePermissionsCommand({ NetworkInterfacePermissionIds: [perm] })),
  );
  expect(e.name).toBe('InvalidNetworkInterfacePermissionID.NotFound');
});
