/**
 * CloudFormation waits at most an hour for a custom resource: past CATALOG_ANSWER_DEADLINE_SECONDS (55 minutes by
 * default; 1 second here) a Create whose access point is not READY yet is answered SUCCESS with
 * Status = PROVISIONING, once, and the provisioning goes on to its end without a second answer.
 */
import { Harness } from './harness.js';
import { Cfn, productProperties } from './catalog-harness.js';
import { serviceCatalogRequestId } from '#lib/request/parse.js';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start({ env: { CATALOG_ANSWER_DEADLINE_SECONDS: '1' } });
});
afterAll(async () => {
  await h.sb.lambdaApi.settled();
  await h.stop();
});

test('a Create still provisioning at the deadline is answered SUCCESS with Status PROVISIONING, once', async () => {
  const cfn = new Cfn(h);
  const requestId = serviceCatalogRequestId(cfn.stackId, cfn.logicalResourceId);
  h.sb.setProfile('fast', { accessPointProvisionMs: 4000 });
  try {
    const create = cfn.request('Create', productProperties());
    const answer = await cfn.play(create);
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Data).toMatchObject({ RequestId: requestId, Status: 'PROVISIONING', EniCount: '51' });
    expect((await h.record(requestId))?.status).toBe('PROVISIONING');
    const [execution] = h.sb.stepFunctions.listExecutions({ stateMachineArn: h.provisionArn }).executions;
    expect((await h.wait(execution.executionArn)).status).toBe('SUCCEEDED');
    expect((await h.record(requestId))?.status).toBe('SUCCEEDED');
    expect(await cfn.answers()).toHaveLength(1);
  } finally {
    h.sb.setProfile('fast');
  }
});
