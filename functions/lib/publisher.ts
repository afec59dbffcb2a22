/** Publishes the workflow's events to EventBridge (one PutEvents per call, at most 10 entries). */
import { PutEventsCommand, type EventBridgeClient, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { AwsServiceUnavailable, isRetryableAwsError } from './errors.js';
import type { EmittedEvent } from './events.js';
import type { EventSink } from './deps.js';

export class EventPublisher implements EventSink {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly source: string,
  ) {}

  async publish(...events: EmittedEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      let out: PutEventsCommandOutput;
      try {
        out = await this.client.send(
          new PutEventsCommand({
            Entries: batch.map((e) => ({
              EventBusName: this.busName,
              Source: this.source,
              DetailType: e.detailType,
              Detail: JSON.stringify(e.detail),
              Resources:
                typeof e.detail.executionArn === 'string' && e.detail.executionArn.startsWith('arn:')
                  ? [e.detail.executionArn]
                  : [],
            })),
          }),
        );
      } catch (err) {
        if (isRetryableAwsError(err))
          throw new AwsServiceUnavailable(`EventBridge PutEvents failed: ${(err as Error).message}`, { cause: err });
        throw err;
      }
      if (out.FailedEntryCount) {
        const failed = (out.Entries ?? []).filter((e) => e.ErrorCode).map((e) => `${e.ErrorCode}: ${e.ErrorMessage}`);
        throw new AwsServiceUnavailable(`EventBridge rejected ${out.FailedEntryCount} event(s): ${failed.join('; ')}`);
      }
    }
  }
}
