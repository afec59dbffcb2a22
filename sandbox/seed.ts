/**
 * The sandbox's fixed, documented seed (README "Sandbox seed"). The samples in events/ use these ids,
 * so they work unchanged on a fresh machine.
 */
export const SEED = {
  accountId: '111122223333',
  region: 'us-west-2',
  /** Credentials any AWS client may use against the sandbox (the signature is not checked). */
  awsAccessKeyId: 'AKIASANDBOX000000001',
  awsSecretAccessKey: 'sandbox-secret-access-key',
  availabilityZones: [
    { zoneName: 'us-west-2a', zoneId: 'usw2-az1' },
    { zoneName: 'us-west-2b', zoneId: 'usw2-az2' },
    { zoneName: 'us-west-2c', zoneId: 'usw2-az3' },
    { zoneName: 'us-west-2d', zoneId: 'usw2-az4' },
  ],
  vpc: { vpcId: 'vpc-0a1b2c3d4e5f60718', cidr: '10.0.0.0/16', name: 'sandbox-clients' },
  subnets: [
    { subnetId: 'subnet-0a1a1a1a1a1a1a1a1', cidr: '10.0.1.0/24', zoneName: 'us-west-2a', name: 'clients-a' },
    { subnetId: 'subnet-0b2b2b2b2b2b2b2b2', cidr: '10.0.2.0/24', zoneName: 'us-west-2b', name: 'clients-b' },
    { subnetId: 'subnet-0c3c3c3c3c3c3c3c3', cidr: '10.0.3.0/24', zoneName: 'us-west-2c', name: 'clients-c' },
    /** A /28 (11 usable addresses): too small for 17 ENIs. */
    { subnetId: 'subnet-0d4d4d4d4d4d4d4d4', cidr: '10.0.4.0/28', zoneName: 'us-west-2d', name: 'tiny-d' },
    /** A second subnet in az1: same AZ as clients-a. */
    { subnetId: 'subnet-0e5e5e5e5e5e5e5e5', cidr: '10.0.5.0/24', zoneName: 'us-west-2a', name: 'clients-a2' },
  ],
  /** Another VPC, for "subnet not in the VPC" checks. */
  otherVpc: { vpcId: 'vpc-0f9e8d7c6b5a49382', cidr: '10.20.0.0/16', name: 'other' },
  otherSubnets: [
    { subnetId: 'subnet-0f6f6f6f6f6f6f6f6', cidr: '10.20.1.0/24', zoneName: 'us-west-2a', name: 'other-a' },
  ],
  confluent: {
    organizationId: '5b3e6f1a-0000-4000-8000-00000000c0de',
    environments: ['env-sandbox1', 'env-sandbox2'],
    apiKey: 'SANDBOXAPIKEY0001',
    apiSecret: 'sandbox-cloud-api-secret-0001',
    /** Confluent's own AWS account, which attaches the ENIs of every PNI gateway. */
    gatewayAccountId: '999988887777',
  },
  /** Secrets Manager secret holding {"key":..,"secret":..} for the Confluent Cloud API key. */
  confluentSecretArn: 'arn:aws:secretsmanager:us-west-2:111122223333:secret:pni/confluent-cloud-api-key-Sbx001',
} as const;

/** The sandbox's defaults: every module in sandbox/ takes them from here. */
export const DEFAULT_PORT = 4566;
/** The sandbox's name for serverless.yml's state table (resources.Resources.StateTable). */
export const SANDBOX_STATE_TABLE = 'pni-provisioner-sandbox-state';
/** Sandbox names of the DynamoDB tables in serverless.yml's resources, by logical id. */
export const SANDBOX_TABLE_NAMES: Readonly<Record<string, string>> = { StateTable: SANDBOX_STATE_TABLE };
