/** EC2 error codes, their HTTP statuses and default messages. */
import { randomBytes } from 'node:crypto';

export class Ec2Error extends Error {
  constructor(
    public readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'Ec2Error';
  }
  get status(): number {
    return statusFor(this.code);
  }
}

/** HTTP status real EC2 uses for a code (AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html); everything else is 400. */
export function statusFor(code: string): number {
  switch (code) {
    case 'UnauthorizedOperation':
      return 403;
    case 'DryRunOperation':
      return 412;
    case 'InternalError':
    case 'InternalFailure':
      return 500;
    case 'RequestLimitExceeded':
    case 'ServiceUnavailable':
    case 'Unavailable':
      return 503;
    default:
      return 400;
  }
}

export function unauthorizedMessage(): string {
  return `You are not authorized to perform this operation. Encoded authorization failure message: ${randomBytes(96).toString('base64url')}`;
}

/** A realistic message for an injected fault that did not bring its own. */
export function defaultMessage(code: string): string {
  switch (code) {
    case 'UnauthorizedOperation':
      return unauthorizedMessage();
    case 'DryRunOperation':
      return 'Request would have succeeded, but DryRun flag is set.';
    case 'InternalError':
    case 'InternalFailure':
      return 'An internal error has occurred';
    case 'RequestLimitExceeded':
      return 'Request limit exceeded.';
    case 'ServiceUnavailable':
    case 'Unavailable':
      return 'The service is unavailable. Please try again shortly.';
    case 'InsufficientFreeAddressesInSubnet':
      return 'There are not enough free addresses in the subnet to satisfy the request.';
    case 'NetworkInterfaceLimitExceeded':
      return 'You have reached the limit for network interfaces in this Region.';
    case 'IdempotentParameterMismatch':
      return 'The request uses the same client token as a previous, but non-identical request.';
    default:
      return `The request failed (sandbox fault ${code}).`;
  }
}

export const dryRun = (): Ec2Error =>
  new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
export const missing = (param: string): Ec2Error =>
  new Ec2Error('MissingParameter', `The request must contain the parameter ${param}`);
export const invalidValue = (message: string): Ec2Error => new Ec2Error('InvalidParameterValue', message);

/** The NotFound code and message for an id of each resource type. */
export type Kind = 'vpc' | 'subnet' | 'sg' | 'eni' | 'perm';
const NOT_FOUND: Record<Kind, { code: string; noun: string }> = {
  vpc: { code: 'InvalidVpcID.NotFound', noun: 'vpc ID' },
  subnet: { code: 'InvalidSubnetID.NotFound', noun: 'subnet ID' },
  sg: { code: 'InvalidGroup.NotFound', noun: 'security group' },
  eni: { code: 'InvalidNetworkInterfaceID.NotFound', noun: 'networkInterface ID' },
  perm: { code: 'InvalidNetworkInterfacePermissionID.NotFound', noun: 'networkInterfacePermission ID' },
};

export function notFound(kind: Kind, ids: readonly string[]): Ec2Error {
  const { code, noun } = NOT_FOUND[kind];
  if (ids.length === 1) return new Ec2Error(code, `The ${noun} '${ids[0]}' does not exist`);
  const plural = kind === 'sg' ? 'security groups' : `${noun}s`;
  return new Ec2Error(code, `The ${plural} '${ids.join(', ')}' do not exist`);
}

/** The resource kind an id's prefix names, for CreateTags. */
export function kindOfId(id: string): Kind | undefined {
  if (id.startsWith('eni-perm-')) return 'perm';
  if (id.startsWith('vpc-')) return 'vpc';
  if (id.startsWith('subnet-')) return 'subnet';
  if (id.startsWith('sg-')) return 'sg';
  if (id.startsWith('eni-')) return 'eni';
  return undefined;
}
