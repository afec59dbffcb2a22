/**
 * Playing CloudFormation against the sandbox: custom-resource requests for the Service Catalog product go in
 * through Lambda's Invoke API; the answers come back through the sandbox's ResponseURL receiver.
 */
import { randomUUID } from 'node:crypto';
import { SEED } from '#sandbox/seed.js';
import type { Harness } from './harness.js';

export const CATALOG_FUNCTION = 'pni-provisioner-dev-serviceCatalogResource';
export const STACK_ID =
  'arn:aws:cloudformation:us-west-2:111122223333:stack/SC-111122223333-pp-abc123/0f0e0d0c-1111-2222-3333-444455556666';

export interface CfnAnswer {
  path: string;
  body: {
    Status: 'SUCCESS' | 'FAILED';
    Reason?: string;
    PhysicalResourceId: string;
    StackId: string;
    RequestId: string;
    LogicalResourceId: string;
    Data?: Record<string, string>;
  };
}

/** The product template's parameters as CloudFormation passes them on (strings and lists of strings). */
export function productProperties(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ServiceToken: 'arn:aws:lambda:us-west-2:111122223333:function:pni-provisioner-dev-serviceCatalogResource',
    EnvironmentId: SEED.confluent.environments[0],
    VpcId: SEED.vpc.vpcId,
    SubnetIds: SEED.subnets.slice(0, 3).map((s) => s.subnetId),
    EnisPerSubnet: '17',
    IngressCidrs: [''],
    EgressRoutes: [''],
    GatewayId: '',
    GatewayName: '',
    AccessPointName: '',
    ...overrides,
  };
}

export class Cfn {
  constructor(
    private readonly h: Harness,
    readonly stackId = STACK_ID,
    readonly logicalResourceId = 'PniConnection',
  ) {}

  /** One custom-resource request, with its own RequestId and ResponseURL. */
  request(
    requestType: 'Create' | 'Update' | 'Delete',
    properties: Record<string, unknown>,
    extra: { old?: Record<string, unknown>; physicalResourceId?: string; cfnRequestId?: string } = {},
  ): Record<string, unknown> {
    const cfnRequestId = extra.cfnRequestId ?? randomUUID();
    return {
      RequestType: requestType,
      ServiceToken: properties.ServiceToken,
      ResponseURL: `${this.h.sb.url}/_sandbox/cfn-responses/${requestType.toLowerCase()}/${cfnRequestId}?X-Amz-Signature=sandbox`,
      StackId: this.stackId,
      RequestId: cfnRequestId,
      LogicalResourceId: this.logicalResourceId,
      ResourceType: 'Custom::PniConnection',
      ResourceProperties: properties,
      ...(extra.old ? { OldResourceProperties: extra.old } : {}),
      ...(extra.physicalResourceId ? { PhysicalResourceId: extra.physicalResourceId } : {}),
    };
  }

  /** Invoke the function the way CloudFormation does (asynchronously), or synchronously. */
  async invoke(
    event: unknown,
    type: 'Event' | 'RequestResponse' = 'Event',
  ): Promise<{ status: number; body: string; functionError?: string }> {
    const r = await fetch(`${this.h.sb.url}/2015-03-31/functions/${CATALOG_FUNCTION}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amz-invocation-type': type },
      body: JSON.stringify(event),
    });
    return {
      status: r.status,
      body: await r.text(),
      functionError: r.headers.get('x-amz-function-error') ?? undefined,
    };
  }

  async answers(): Promise<CfnAnswer[]> {
    return (await (await fetch(`${this.h.sb.url}/_sandbox/cfn-responses`)).json()) as CfnAnswer[];
  }

  /** Wait for the answer to one CloudFormation request (by its RequestId). */
  async answerTo(event: Record<string, unknown>, timeoutMs = 60_000): Promise<CfnAnswer['body']> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.answers()).filter((a) => a.body.RequestId === event.RequestId);
      if (found.length) return found[0].body;
      if (Date.now() > deadline)
        throw new Error(`no answer to ${String(event.RequestType)} ${String(event.RequestId)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Send a request and wait for its answer. */
  async play(event: Record<string, unknown>): Promise<CfnAnswer['body']> {
    const out = await this.invoke(event);
    if (out.status !== 202) throw new Error(`invoke answered ${out.status}: ${out.body}`);
    return this.answerTo(event);
  }
}
