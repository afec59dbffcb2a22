/**
 * CloudFormation (Query protocol, XML): DescribeStacks of the project's own stack, as `osls deploy` would have
 * left it, so `pni --stack <service>-<stage>` finds the sandbox's state machines and table the way it finds a
 * deployed stack's. Only the outputs the CLI reads are served; every other action is refused.
 */
import { randomUUID } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from './types.js';

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export interface SandboxStack {
  name: string;
  /** OutputKey -> OutputValue, as the deployed stack's Outputs. */
  outputs: Record<string, string>;
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function xml(status: number, body: string): SandboxResponse {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() }, body };
}

function error(status: number, code: string, message: string): SandboxResponse {
  return xml(
    status,
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

/** Is this a CloudFormation Query request (Version 2010-05-15)? */
export function isCloudFormationRequest(req: SandboxRequest): boolean {
  if (req.method !== 'POST') return false;
  const form = new URLSearchParams(req.body.toString('utf8'));
  return form.get('Version') === '2010-05-15' && form.has('Action');
}

export class CloudFormationService {
  constructor(
    private readonly opts: { accountId: string; region: string; createdAt: Date; stacks: () => SandboxStack[] },
  ) {}

  handle(req: SandboxRequest): SandboxResponse {
    const form = new URLSearchParams(req.body.toString('utf8'));
    const action = form.get('Action');
    if (action !== 'DescribeStacks')
      return error(400, 'InvalidAction', `the sandbox's CloudFormation serves DescribeStacks only, not ${action}`);
    const wanted = form.get('StackName');
    const stacks = this.opts.stacks().filter((s) => !wanted || s.name === wanted || this.stackId(s) === wanted);
    if (wanted && stacks.length === 0) return error(400, 'ValidationError', `Stack with id ${wanted} does not exist`);
    const members = stacks
      .map((s) => {
        const outputs = Object.entries(s.outputs)
          .map(
            ([k, v]) =>
              `<member><OutputKey>${escapeXml(k)}</OutputKey><OutputValue>${escapeXml(v)}</OutputValue></member>`,
          )
          .join('');
        return `<member><StackName>${escapeXml(s.name)}</StackName><StackId>${escapeXml(this.stackId(s))}</StackId><CreationTime>${this.opts.createdAt.toISOString()}</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${outputs}</Outputs></member>`;
      })
      .join('');
    return xml(
      200,
      `<DescribeStacksResponse xmlns="${XMLNS}"><DescribeStacksResult><Stacks>${members}</Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
  }

  private stackId(s: SandboxStack): string {
    return `arn:aws:cloudformation:${this.opts.region}:${this.opts.accountId}:stack/${s.name}/00000000-0000-4000-8000-000000000012`;
  }
}
