/**
 * AWS SDK clients, built once per process (per region for EC2). Endpoints come from the SDK's own
 * configuration (AWS_ENDPOINT_URL, which the sandbox sets); SDK retries stay small (AWS_MAX_ATTEMPTS, default 2)
 * because the state machine owns the long backoff.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { config, sdkMaxAttempts } from './config.js';
import { ConfluentClient, parseConfluentSecret } from './confluent/index.js';
import { StateStore } from './state.js';
import { EventPublisher } from './publisher.js';
import { measure, tracer } from './observability.js';

const maxAttempts = sdkMaxAttempts();
const ec2Clients = new Map<string, EC2Client>();

export function ec2(region: string): EC2Client {
  let c = ec2Clients.get(region);
  if (!c) {
    c = tracer.captureAWSv3Client(new EC2Client({ region, maxAttempts }));
    ec2Clients.set(region, c);
  }
  return c;
}

let doc: DynamoDBDocumentClient | undefined;
/** The DynamoDB document client every store of the state table shares. */
export function documentClient(): DynamoDBDocumentClient {
  doc ??= DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({ maxAttempts })), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return doc;
}

let store: StateStore | undefined;
export function stateStore(): StateStore {
  store ??= new StateStore(documentClient(), config().stateTable);
  return store;
}

let publisher: EventPublisher | undefined;
export function eventPublisher(): EventPublisher {
  publisher ??= new EventPublisher(
    tracer.captureAWSv3Client(new EventBridgeClient({ maxAttempts })),
    config().eventBusName,
    config().eventSource,
  );
  return publisher;
}

let confluentClient: ConfluentClient | undefined;
/**
 * The Confluent client; its API key comes from Secrets Manager (cached CONFLUENT_SECRET_MAX_AGE_SECONDS, default 300, by
 * Powertools Parameters) and is parsed by parseConfluentSecret only.
 */
export function confluent(): ConfluentClient {
  confluentClient ??= new ConfluentClient({
    baseUrl: config().confluentApiUrl,
    maxRetryDelayMs: config().confluentMaxRetryDelayMs,
    onRetry: (info) => {
      measure.retried();
      if (info.status === 429) measure.throttled();
    },
    credentials: async () =>
      parseConfluentSecret(
        await getSecret(config().confluentSecretArn, { maxAge: config().confluentSecretMaxAgeSeconds }),
      ),
  });
  return confluentClient;
}

let sfnClient: SFNClient | undefined;
/** The Step Functions client (one per process). */
export function sfn(): SFNClient {
  sfnClient ??= tracer.captureAWSv3Client(new SFNClient({ maxAttempts }));
  return sfnClient;
}
/** The status of a Step Functions execution (RUNNING, SUCCEEDED, FAILED, ABORTED, TIMED_OUT), or undefined if unknown. */
export async function executionStatus(executionArn: string): Promise<string | undefined> {
  try {
    return (await sfn().send(new DescribeExecutionCommand({ executionArn }))).status;
  } catch (err) {
    if ((err as Error).name === 'ExecutionDoesNotExist') return undefined;
    throw err;
  }
}
