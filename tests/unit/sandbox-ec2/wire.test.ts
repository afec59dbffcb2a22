/** The EC2 Query wire protocol: success/error XML, headers, statuses, regions. */
import {
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import { regionFromAuthorization } from '#sandbox/ec2/index.js';
import { SEED } from '#sandbox/seed.js';
import { ec2Error, startHarness, SUBNET_A, type Harness } from './helpers.js';

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

async function post(body: string): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(h.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('wire protocol', () => {
  test('success: <XResponse xmlns=...><requestId>, items, headers with the same request id', async () => {
    const r = await post(`Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=${SUBNET_A}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/xml;charset=UTF-8');
    expect(r.headers.get('server')).toBe('AmazonEC2');
    const id = r.headers.get('x-amzn-requestid');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.text).toContain('<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">');
    expect(r.text).toContain(`<requestId>${id}</requestId>`);
    expect(r.text).toMatch(/<subnetSet><item><subnetId>subnet-0a1a1a1a1a1a1a1a1<\/subnetId>/);
    expect(r.text).toContain('<tagSet><item><key>Name</key><value>clients-a</value></item></tagSet>');
  });

  test('SDK $metadata.requestId comes from x-amzn-requestid', async () => {
    const out = await h.ec2.send(new DescribeVpcsCommand({}));
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  test('unknown action: 400 InvalidAction in Response/Errors/Error with RequestID', async () => {
    const r = await post('Action=RunInstances&Version=2016-11-15');
    expect(r.status).toBe(400);
    const id = r.headers.get('x-amzn-requestid');
    expect(r.text).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InvalidAction</Code><Message>The action RunInstances is not valid for this web service.</Message></Error></Errors><RequestID>${id}</RequestID></Response>`,
    );
    expect(r.headers.get('content-type')).toBe('text/xml;charset=UTF-8');
  });

  test('missing action: 400 MissingAction', async () => {
    const r = await post('Version=2016-11-15');
    expect(r.status).toBe(400);
    expect(r.text).toContain('<Code>MissingAction</Code>');
  });

  test('all text is XML-escaped', async () => {
    const r = await post(`Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=${encodeURIComponent('subnet-<&\'">')}`);
    expect(r.status).toBe(400);
    expect(r.text).toContain(
      '<Message>The subnet ID &apos;subnet-&lt;&amp;&apos;&quot;&gt;&apos; does not exist</Message>',
    );
  });

  test('the SDK reads the error: name, message, $fault, status', async () => {
    const e = await ec2Error(h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0000000000000dead'] })));
    expect(e.name).toBe('InvalidSubnetID.NotFound');
    expect(e.message).toBe("The subnet ID 'subnet-0000000000000dead' does not exist");
    expect(e.$fault).toBe('client');
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(e.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('DryRun=true -> 412 DryRunOperation', async () => {
    const e = await ec2Error(h.ec2.send(new DescribeNetworkInterfacesCommand({ DryRun: true })));
    expect(e.name).toBe('DryRunOperation');
    expect(e.message).toBe('Request would have succeeded, but DryRun flag is set.');
    expect(e.$metadata.httpStatusCode).toBe(412);
  });

  test('GET with a query string works too', async () => {
    const res = await fetch(`${h.url}/?Action=DescribeVpcs&Version=2016-11-15`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(SEED.vpc.vpcId);
  });
});

describe('regions', () => {
  test('regionFromAuthorization parses the credential scope', () => {
    expect(
      regionFromAuthorization(
        'AWS4-HMAC-SHA256 Credential=AKIASANDBOX000000001/20240101/eu-central-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
      ),
    ).toBe('eu-central-1');
    expect(regionFromAuthorization(undefined)).toBeUndefined();
    expect(regionFromAuthorization('Bearer x')).toBeUndefined();
  });

  test('another region starts empty and does not see the seed', async () => {
    const eu = h.client('eu-west-1');
    expect((await eu.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([]);
    expect((await eu.send(new DescribeSubnetsCommand({}))).Subnets).toEqual([]);
    expect((await eu.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones).toEqual([]);
    expect((await eu.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups).toEqual([]);
    const e = await ec2Error(eu.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_A] })));
    expect(e.name).toBe('InvalidSubnetID.NotFound');
    expect((await h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_A] }))).Subnets).toHaveLength(1);
  });
});
