/**
 * The Service Catalog entry point on the sandbox: CloudFormation's custom-resource requests through Lambda's
 * Invoke API, answers through the ResponseURL receiver; every assertion on what exists reads the sandbox's state.
 */
import { Harness, eventsFor, expectSandboxEmpty } from './harness.js';
import { Cfn, productProperties } from './catalog-harness.js';
import { serviceCatalogRequestId } from '#lib/request/parse.js';

let h: Harness;
let cfn: Cfn;
beforeAll(async () => {
  h = await Harness.start();
  cfn = new Cfn(h);
});
afterAll(async () => {
  await h.sb.lambdaApi.settled();
  await h.stop();
});
beforeEach(async () => {
  await h.reset();
});

const requestId = () => serviceCatalogRequestId(cfn.stackId, cfn.logicalResourceId);

test('Create answers SUCCESS with the outputs, and 51 ENIs are built', async () => {
  const create = cfn.request('Create', productProperties());
  const answer = await cfn.play(create);
  expect(answer).toMatchObject({
    Status: 'SUCCESS',
    PhysicalResourceId: requestId(),
    StackId: cfn.stackId,
    LogicalResourceId: 'PniConnection',
  });
  const state = await h.state();
  expect(state.ec2.networkInterfaces).toHaveLength(51);
  expect(state.confluent.accessPoints).toHaveLength(1);
  const rec = await h.record(requestId());
  expect(answer.Data).toEqual({
    RequestId: requestId(),
    GatewayId: rec?.gatewayId,
    AccessPointId: state.confluent.accessPoints[0].id,
    SecurityGroupId: rec?.securityGroupId,
    ConfluentAccount: rec?.confluentAccount,
    EniCount: '51',
    Status: 'READY',
  });
  expect(await cfn.answers()).toHaveLength(1);
});

test('Create with a bad property answers FAILED naming it, and nothing is built', async () => {
  const answer = await cfn.play(cfn.request('Create', productProperties({ SubnetIds: ['subnet-0a1a1a1a1a1a1a1a1'] })));
  expect(answer.Status).toBe('FAILED');
  expect(answer.Reason).toMatch(/^RequestInvalid: SubnetIds: must list exactly 3 subnets/);
  expect(answer.PhysicalResourceId).toBe(requestId());
  expectSandboxEmpty(await h.state());
  expect(h.sb.stepFunctions.listExecutions({ stateMachineArn: h.provisionArn }).executions).toHaveLength(0);

  // A live rule (checked by the workflow's ValidateRequest) is named the same way.
  await h.reset();
  const live = await cfn.play(cfn.request('Create', productProperties({ VpcId: 'vpc-0f9e8d7c6b5a49382' })));
  expect(live.Status).toBe('FAILED');
  expect(live.Reason).toMatch(
    /^RequestInvalid in validateRequest: SubnetIds\[0\]: subnet .* is in vpc-0a1b2c3d4e5f60718/,
  );
  expectSandboxEmpty(await h.state());
  expect((await h.record(requestId()))?.status).toBe('REJECTED');
});

test('Delete answers SUCCESS when everything is gone', async () => {
  expect((await cfn.play(cfn.request('Create', productProperties()))).Status).toBe('SUCCESS');
  const del = await cfn.play(cfn.request('Delete', productProperties(), { physicalResourceId: requestId() }));
  expect(del).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: requestId() });
  expectSandboxEmpty(await h.state());
  expect((await h.record(requestId()))?.status).toBe('TORN_DOWN');
  expect(eventsFor(await h.state(), requestId()).map((e) => e.type)).toContain('PNI Teardown Succeeded');
});

test('Delete after a failed Create answers SUCCESS at once (nothing exists)', async () => {
  await h.faults([{ service: 'confluent', action: 'POST /networking/v1/access-points', error: 422 }]);
  const create = await cfn.play(cfn.request('Create', productProperties()));
  expect(create.Status).toBe('FAILED');
  expect(create.Reason).toMatch(/createAccessPoint/);
  expect(create.Reason).toMatch(/ROLLED_BACK/);
  const executionsBefore = h.sb.stepFunctions.listExecutions({ stateMachineArn: h.teardownArn }).executions.length;
  const del = await cfn.play(cfn.request('Delete', productProperties(), { physicalResourceId: requestId() }));
  expect(del.Status).toBe('SUCCESS');
  // answered without a teardown execution of its own (only the rollback ran)
  expect(h.sb.stepFunctions.listExecutions({ stateMachineArn: h.teardownArn }).executions).toHaveLength(
    executionsBefore,
  );
  expectSandboxEmpty(await h.state());
});

test('Delete during provisioning stops it, tears down what it built, then answers SUCCESS', async () => {
  h.sb.setProfile('fast', { accessPointProvisionMs: 60_000 });
  try {
    const create = cfn.request('Create', productProperties());
    await cfn.invoke(create);
    // wait until the access point exists (the provisioning is polling it)
    for (let i = 0; i < 500 && !(await h.state()).confluent.accessPoints.length; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await h.record(requestId()))?.status).toBe('PROVISIONING');
    const del = await cfn.play(cfn.request('Delete', productProperties(), { physicalResourceId: requestId() }));
    expect(del.Status).toBe('SUCCESS');
    const createAnswer = await cfn.answerTo(create);
    expect(createAnswer.Status).toBe('FAILED');
    expect(createAnswer.Reason).toMatch(/deleted while it was being provisioned/);
    const [provision] = h.sb.stepFunctions.listExecutions({ stateMachineArn: h.provisionArn }).executions;
    expect(provision.status).toBe('ABORTED');
  } finally {
    h.sb.setProfile('fast');
  }
  expectSandboxEmpty(await h.state());
  expect((await h.record(requestId()))?.status).toBe('TORN_DOWN');
  // each CloudFormation request got exactly one answer
  expect(await cfn.answers()).toHaveLength(2);
});

test('a Create delivered twice builds one connection and answers each delivery once', async () => {
  const first = cfn.request('Create', productProperties());
  const second = cfn.request('Create', productProperties());
  await Promise.all([cfn.invoke(first), cfn.invoke(second), cfn.invoke(first)]); // the first one even twice
  const [a, b] = [await cfn.answerTo(first), await cfn.answerTo(second)];
  expect(a.Status).toBe('SUCCESS');
  expect(b).toEqual({ ...a, RequestId: second.RequestId });
  await h.sb.lambdaApi.settled();
  expect(await cfn.answers()).toHaveLength(2);
  expect(h.sb.stepFunctions.listExecutions({ stateMachineArn: h.provisionArn }).executions).toHaveLength(1);
  const state = await h.state();
  expect(state.ec2.networkInterfaces).toHaveLength(51);
  expect(state.confluent.accessPoints).toHaveLength(1);
  expect(state.confluent.gateways).toHaveLength(1);

  // delivered again after it was answered: nothing new happens, no second answer
  await cfn.invoke(first, 'RequestResponse');
  expect(await cfn.answers()).toHaveLength(2);
});

const sgIngress = (sg: any): string[] =>
  sg.IpPermissions.flatMap((p: any) => p.IpRanges.map((r: any) => `${r.CidrIp}:${p.FromPort}`)).sort();

test('Update of the routes and the ingress applies them in place: access point PATCHed, no ENI replaced', async () => {
  const props = productProperties();
  expect((await cfn.play(cfn.request('Create', props))).Status).toBe('SUCCESS');
  const before = await h.state();
  const eniIds = before.ec2.networkInterfaces.map((e) => e.NetworkInterfaceId).sort();

  const next = productProperties({
    EgressRoutes: ['10.50.0.0/16', '10.60.0.0/16'],
    IngressCidrs: ['10.0.1.0/24', '10.9.0.0/16'],
  });
  const answer = await cfn.play(cfn.request('Update', next, { old: props, physicalResourceId: requestId() }));
  expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: requestId() });
  expect(answer.Data?.Status).toBe('READY');

  const after = await h.state();
  expect(after.confluent.accessPoints).toHaveLength(1);
  expect(after.confluent.accessPoints[0].spec.config.egress_routes).toEqual(['10.50.0.0/16', '10.60.0.0/16']);
  expect(after.confluent.accessPoints[0].status.phase).toBe('READY');
  expect(after.ec2.networkInterfaces.map((e) => e.NetworkInterfaceId).sort()).toEqual(eniIds);
  const rec = await h.record(requestId());
  const sg = after.ec2.securityGroups.find((g) => g.GroupId === rec?.securityGroupId);
  expect(sgIngress(sg)).toEqual(['10.0.1.0/24:443', '10.0.1.0/24:9092', '10.9.0.0/16:443', '10.9.0.0/16:9092']);
  expect(rec).toMatchObject({
    status: 'SUCCEEDED',
    request: { egressRoutes: ['10.50.0.0/16', '10.60.0.0/16'] },
    lastUpdate: { status: 'SUCCEEDED' },
  });
  expect(await h.lockHolder(rec?.environmentId, rec?.vpcId)).toBeUndefined();
  const updated = eventsFor(after, requestId()).find((e) => e.type === 'PNI Update Succeeded');
  expect(updated?.detail.changes).toEqual({
    egressRoutes: { from: [], to: ['10.50.0.0/16', '10.60.0.0/16'] },
    ingressCidrs: { added: ['10.0.1.0/24', '10.9.0.0/16'], removed: ['10.0.0.0/16'] },
  });

  // And back: the ingress returns to the VPC CIDR (the default), the routes to none.
  const back = await cfn.play(cfn.request('Update', props, { old: next, physicalResourceId: requestId() }));
  expect(back.Status).toBe('SUCCESS');
  const final = await h.state();
  expect(final.confluent.accessPoints[0].spec.config.egress_routes).toEqual([]);
  expect(sgIngress(final.ec2.securityGroups.find((g) => g.GroupId === rec?.securityGroupId))).toEqual([
    '10.0.0.0/16:443',
    '10.0.0.0/16:9092',
  ]);
});

test('Update of VpcId answers FAILED naming it; the rollback Update with the old properties succeeds', async () => {
  const props = productProperties();
  expect((await cfn.play(cfn.request('Create', props))).Status).toBe('SUCCESS');
  const moved = productProperties({ VpcId: 'vpc-0f9e8d7c6b5a49382' });
  const refused = await cfn.play(cfn.request('Update', moved, { old: props, physicalResourceId: requestId() }));
  expect(refused.Status).toBe('FAILED');
  expect(refused.Reason).toMatch(/^VpcId cannot change; create a new connection/);
  expect(refused.PhysicalResourceId).toBe(requestId());
  // CloudFormation's rollback: an Update back to the old properties (the refused ones are now "old").
  const rollback = await cfn.play(cfn.request('Update', props, { old: moved, physicalResourceId: requestId() }));
  expect(rollback).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: requestId() });
  const state = await h.state();
  expect(state.ec2.networkInterfaces).toHaveLength(51);
  expect((await h.record(requestId()))?.status).toBe('SUCCEEDED');
});

test('Update with an invalid route answers FAILED naming the property, and changes nothing', async () => {
  const props = productProperties();
  expect((await cfn.play(cfn.request('Create', props))).Status).toBe('SUCCESS');
  const bad = productProperties({ EgressRoutes: ['10.100.0.0/16'] });
  const answer = await cfn.play(cfn.request('Update', bad, { old: props, physicalResourceId: requestId() }));
  expect(answer.Status).toBe('FAILED');
  expect(answer.Reason).toMatch(
    /^RequestInvalid: EgressRoutes\[0\]: route 10.100.0.0\/16 overlaps the forbidden range/,
  );
  expect((await h.state()).confluent.accessPoints[0].spec.config.egress_routes).toEqual([]);
});
