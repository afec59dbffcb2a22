/**
 * The AWS CLI (Debian `awscli` package, an independent botocore-based client) against the EC2 emulator.
 * The CLI must be installed (`apt-get install -y awscli`); when it is missing these tests FAIL.
 */
import { DeleteNetworkInterfaceCommand } from '@aws-sdk/client-ec2';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SEED } from '#sandbox/seed.js';
import { CONFLUENT, startHarness, SUBNET_A, SUBNET_B, VPC, type Harness } from './helpers.js';

/** `AWS_CLI` if set, else the Debian package's /usr/bin/aws, else `aws` on PATH. */
const AWS = process.env.AWS_CLI ?? (existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function aws(h: Harness, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      AWS,
      [...args, '--endpoint-url', h.url, '--region', 'us-west-2', '--output', 'json'],
      {
        timeout: 30_000,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          LANG: 'C.UTF-8',
          AWS_ACCESS_KEY_ID: SEED.awsAccessKeyId,
          AWS_SECRET_ACCESS_KEY: SEED.awsSecretAccessKey,
          AWS_PAGER: '',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(
            new Error(
              `could not run the AWS CLI (${AWS}): ${err.message}. Install it with "apt-get install -y awscli" (or set AWS_CLI).`,
            ),
          );
          return;
        }
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}

async function ok<T = Record<string, unknown>>(h: Harness, args: string[]): Promise<T> {
  const r = await aws(h, args);
  if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return (r.stdout.trim() ? JSON.parse(r.stdout) : {}) as T;
}

interface Eni {
  NetworkInterfaceId: string;
  SubnetId: string;
  PrivateIpAddress: string;
  Status: string;
  TagSet: { Key: string; Value: string }[];
  Groups: { GroupId: string }[];
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const probe = await aws(h, ['--version']).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
  if (probe.code !== 0)
    throw new Error(`The AWS CLI is required for these tests and is missing or broken (${AWS}): ${probe.stderr}`);
});
afterAll(async () => {
  await h?.close();
});

describe('AWS CLI against the EC2 emulator', () => {
  let sg = '';
  const enis: Eni[] = [];
  let perm = '';

  test('describe-subnets: seed shape with AZ id and free address count', async () => {
    const out = await ok<{
      Subnets: { SubnetId: string; AvailabilityZoneId: string; AvailableIpAddressCount: number; CidrBlock: string }[];
    }>(h, ['ec2', 'describe-subnets', '--subnet-ids', SUBNET_A, SUBNET_B]);
    expect(out.Subnets.map((s) => [s.SubnetId, s.AvailabilityZoneId, s.AvailableIpAddressCount, s.CidrBlock])).toEqual([
      [SUBNET_A, 'usw2-az1', 251, '10.0.1.0/24'],
      [SUBNET_B, 'usw2-az2', 251, '10.0.2.0/24'],
    ]);
  });

  test('create-security-group, authorize-security-group-ingress, revoke-security-group-egress, describe-security-groups', async () => {
    const created = await ok<{ GroupId: string }>(h, [
      'ec2',
      'create-security-group',
      '--group-name',
      'pni-cli',
      '--description',
      'PNI from the CLI',
      '--vpc-id',
      VPC,
    ]);
    sg = created.GroupId;
    expect(sg).toMatch(/^sg-[0-9a-f]{17}$/);
    const auth = await ok<{ Return: boolean; SecurityGroupRules: { SecurityGroupRuleId: string; FromPort: number }[] }>(
      h,
      [
        'ec2',
        'authorize-security-group-ingress',
        '--group-id',
        sg,
        '--ip-permissions',
        'IpProtocol=tcp,FromPort=9092,ToPort=9092,IpRanges=[{CidrIp=10.0.0.0/16,Description=kafka}]',
        'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=10.0.0.0/16}]',
      ],
    );
    expect(auth.Return).toBe(true);
    expect(auth.SecurityGroupRules.map((r) => r.FromPort)).toEqual([9092, 443]);
    expect(auth.SecurityGroupRules[0].SecurityGroupRuleId).toMatch(/^sgr-/);
    const revoke = await ok<{ Return: boolean }>(h, [
      'ec2',
      'revoke-security-group-egress',
      '--group-id',
      sg,
      '--ip-permissions',
      'IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]',
    ]);
    expect(revoke.Return).toBe(true);
    const d = await ok<{
      SecurityGroups: {
        GroupName: string;
        Description: string;
        IpPermissions: { FromPort: number; IpRanges: { CidrIp: string; Description?: string }[] }[];
        IpPermissionsEgress: unknown[];
      }[];
    }>(h, ['ec2', 'describe-security-groups', '--group-ids', sg]);
    expect(d.SecurityGroups[0]).toMatchObject({
      GroupName: 'pni-cli',
      Description: 'PNI from the CLI',
      IpPermissionsEgress: [],
    });
    expect(d.SecurityGroups[0].IpPermissions.map((p) => [p.FromPort, p.IpRanges])).toEqual([
      [9092, [{ CidrIp: '10.0.0.0/16', Description: 'kafka' }]],
      [443, [{ CidrIp: '10.0.0.0/16' }]],
    ]);
  });

  test('create-network-interface with --tag-specifications and --client-token (replay is idempotent)', async () => {
    for (const [i, subnet] of [SUBNET_A, SUBNET_B, SUBNET_B, SUBNET_A, SUBNET_B, SUBNET_B].entries()) {
      const out = await ok<{ NetworkInterface: Eni; ClientToken: string }>(h, [
        'ec2',
        'create-network-interface',
        '--subnet-id',
        subnet,
        '--groups',
        sg,
        '--client-token',
        `cli-run-1-${i}`,
        '--description',
        `pni ${i}`,
        '--tag-specifications',
        `ResourceType=network-interface,Tags=[{Key=Project,Value=pni},{Key=Index,Value=${i}}]`,
      ]);
      expect(out.ClientToken).toBe(`cli-run-1-${i}`);
      expect(out.NetworkInterface).toMatchObject({ SubnetId: subnet, Status: 'available', Groups: [{ GroupId: sg }] });
      expect(out.NetworkInterface.TagSet).toEqual([
        { Key: 'Project', Value: 'pni' },
        { Key: 'Index', Value: String(i) },
      ]);
      enis.push(out.NetworkInterface);
    }
    const replay = await ok<{ NetworkInterface: Eni }>(h, [
      'ec2',
      'create-network-interface',
      '--subnet-id',
      SUBNET_A,
      '--groups',
      sg,
      '--client-token',
      'cli-run-1-0',
      '--description',
      'pni 0',
      '--tag-specifications',
      'ResourceType=network-interface,Tags=[{Key=Project,Value=pni},{Key=Index,Value=0}]',
    ]);
    expect(replay.NetworkInterface.NetworkInterfaceId).toBe(enis[0].NetworkInterfaceId);
  });

  test('describe-network-interfaces with --filters (tag: and subnet-id)', async () => {
    const out = await ok<{ NetworkInterfaces: Eni[] }>(h, [
      'ec2',
      'describe-network-interfaces',
      '--filters',
      'Name=tag:Project,Values=pni',
      `Name=subnet-id,Values=${SUBNET_B}`,
    ]);
    expect(out.NetworkInterfaces.map((e) => e.NetworkInterfaceId)).toEqual(
      enis.filter((e) => e.SubnetId === SUBNET_B).map((e) => e.NetworkInterfaceId),
    );
    const or = await ok<{ NetworkInterfaces: Eni[] }>(h, [
      'ec2',
      'describe-network-interfaces',
      '--filters',
      'Name=tag:Index,Values=0,5',
    ]);
    expect(or.NetworkInterfaces.map((e) => e.NetworkInterfaceId)).toEqual([
      enis[0].NetworkInterfaceId,
      enis[5].NetworkInterfaceId,
    ]);
  });

  test('describe-network-interfaces pagination: --page-size walks every page; --max-items hands out a NextToken', async () => {
    const all = await ok<{ NetworkInterfaces: Eni[] }>(h, ['ec2', 'describe-network-interfaces', '--page-size', '5']);
    expect(all.NetworkInterfaces.map((e) => e.NetworkInterfaceId)).toEqual(enis.map((e) => e.NetworkInterfaceId));
    const first = await ok<{ NetworkInterfaces: Eni[]; NextToken: string }>(h, [
      'ec2',
      'describe-network-interfaces',
      '--page-size',
      '5',
      '--max-items',
      '3',
    ]);
    expect(first.NetworkInterfaces).toHaveLength(3);
    expect(first.NextToken).toBeTruthy();
    const rest = await ok<{ NetworkInterfaces: Eni[]; NextToken?: string }>(h, [
      'ec2',
      'describe-network-interfaces',
      '--page-size',
      '5',
      '--starting-token',
      first.NextToken,
    ]);
    expect([...first.NetworkInterfaces, ...rest.NetworkInterfaces].map((e) => e.NetworkInterfaceId)).toEqual(
      enis.map((e) => e.NetworkInterfaceId),
    );
    expect(rest.NextToken).toBeUndefined();
  });

  test('create-network-interface-permission, describe-network-interface-permissions', async () => {
    const out = await ok<{
      InterfacePermission: {
        NetworkInterfacePermissionId: string;
        PermissionState: { State: string };
        AwsAccountId: string;
      };
    }>(h, [
      'ec2',
      'create-network-interface-permission',
      '--network-interface-id',
      enis[0].NetworkInterfaceId,
      '--aws-account-id',
      CONFLUENT,
      '--permission',
      'INSTANCE-ATTACH',
    ]);
    perm = out.InterfacePermission.NetworkInterfacePermissionId;
    expect(perm).toMatch(/^eni-perm-[0-9a-f]{17}$/);
    expect(out.InterfacePermission).toMatchObject({ AwsAccountId: CONFLUENT, PermissionState: { State: 'GRANTED' } });
    const d = await ok<{
      NetworkInterfacePermissions: {
        NetworkInterfacePermissionId: string;
        NetworkInterfaceId: string;
        Permission: string;
      }[];
    }>(h, [
      'ec2',
      'describe-network-interface-permissions',
      '--filters',
      `Name=network-interface-permission.network-interface-id,Values=${enis[0].NetworkInterfaceId}`,
    ]);
    expect(d.NetworkInterfacePermissions).toEqual([
      expect.objectContaining({
        NetworkInterfacePermissionId: perm,
        NetworkInterfaceId: enis[0].NetworkInterfaceId,
        Permission: 'INSTANCE-ATTACH',
      }),
    ]);
  });

  test('errors: exit code and the error text (attached ENI, unknown ids, duplicate group)', async () => {
    h.emulator.attach('us-west-2', enis[0].NetworkInterfaceId, CONFLUENT);
    const blocked = await aws(h, [
      'ec2',
      'delete-network-interface-permission',
      '--network-interface-permission-id',
      perm,
    ]);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain(
      'An error occurred (OperationNotPermitted) when calling the DeleteNetworkInterfacePermission operation',
    );
    const inUse = await aws(h, [
      'ec2',
      'delete-network-interface',
      '--network-interface-id',
      enis[0].NetworkInterfaceId,
    ]);
    expect(inUse.code).not.toBe(0);
    expect(inUse.stderr).toContain('(InvalidNetworkInterface.InUse)');
    const nf = await aws(h, ['ec2', 'describe-network-interfaces', '--network-interface-ids', 'eni-00000000000000bad']);
    expect(nf.code).not.toBe(0);
    // botocore may add "(reached max retries: 0)" before the colon
    expect(nf.stderr).toMatch(
      /An error occurred \(InvalidNetworkInterfaceID\.NotFound\) when calling the DescribeNetworkInterfaces operation( \(reached max retries: \d+\))?: The networkInterface ID 'eni-00000000000000bad' does not exist/,
    );
    const dup = await aws(h, [
      'ec2',
      'create-security-group',
      '--group-name',
      'PNI-cli',
      '--description',
      'again',
      '--vpc-id',
      VPC,
    ]);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain('(InvalidGroup.Duplicate)');
    h.emulator.detach('us-west-2', enis[0].NetworkInterfaceId);
  });

  test('delete-network-interface-permission (--force), delete-network-interface, addresses come back', async () => {
    h.emulator.attach('us-west-2', enis[0].NetworkInterfaceId, CONFLUENT);
    const del = await ok<{ Return: boolean }>(h, [
      'ec2',
      'delete-network-interface-permission',
      '--network-interface-permission-id',
      perm,
      '--force',
    ]);
    expect(del.Return).toBe(true);
    h.emulator.detach('us-west-2', enis[0].NetworkInterfaceId);
    const d = await ok<{ NetworkInterfacePermissions: unknown[] }>(h, [
      'ec2',
      'describe-network-interface-permissions',
    ]);
    expect(d.NetworkInterfacePermissions).toEqual([]);
    for (const e of enis) {
      if (e.SubnetId === SUBNET_A) {
        const r = await aws(h, ['ec2', 'delete-network-interface', '--network-interface-id', e.NetworkInterfaceId]);
        expect([r.code, r.stdout.trim()]).toEqual([0, '']);
      } else {
        await h.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: e.NetworkInterfaceId })); // (fewer slow CLI starts)
      }
    }
    const s = await ok<{ Subnets: { AvailableIpAddressCount: number }[] }>(h, [
      'ec2',
      'describe-subnets',
      '--subnet-ids',
      SUBNET_A,
      SUBNET_B,
    ]);
    expect(s.Subnets.map((x) => x.AvailableIpAddressCount)).toEqual([251, 251]);
    const gone = await aws(h, [
      'ec2',
      'delete-network-interface',
      '--network-interface-id',
      enis[0].NetworkInterfaceId,
    ]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('(InvalidNetworkInterfaceID.NotFound)');
    const sgDel = await ok<{ Return?: boolean }>(h, ['ec2', 'delete-security-group', '--group-id', sg]);
    expect(sgDel.Return ?? true).toBe(true);
  });
});
