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
