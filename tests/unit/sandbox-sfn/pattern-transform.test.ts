import { applyInputTransformer, matchesPattern } from '#sandbox/eventbridge/index.js';

const event = {
  version: '0',
  id: 'ev-1',
  'detail-type': 'PNI Provisioning Requested',
  source: 'pni.requests',
  account: '111122223333',
  time: '2026-01-01T00:00:00Z',
  region: 'us-west-2',
  resources: ['arn:a', 'arn:b'],
  detail: { requestId: 'r-1', n: 5, tags: ['x', 'y'], nested: { env: 'env-abc' }, text: 'a "quoted"\nline', nil: null },
};

describe('matchesPattern', () => {
  it('exact values, OR within a list, nested detail', () => {
    expect(
      matchesPattern({ source: ['pni.requests'], 'detail-type': ['nope', 'PNI Provisioning Requested'] }, event),
    ).toBe(true);
    expect(matchesPattern({ source: ['other'] }, event)).toBe(false);
    expect(matchesPattern({ detail: { nested: { env: ['env-abc'] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { nested: { env: ['env-x'] } } }, event)).toBe(false);
    expect(matchesPattern({ detail: { n: [5] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { nil: [null] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { missing: ['x'] } }, event)).toBe(false);
  });
  it('arrays in the event match any element', () => {
    expect(matchesPattern({ resources: ['arn:b'] }, event)).toBe(true);
    expect(matchesPattern({ detail: { tags: ['y'] } }, event)).toBe(true);
  });
  it('prefix, suffix, anything-but, numeric, exists, equals-ignore-case, wildcard, $or', () => {
    expect(matchesPattern({ detail: { requestId: [{ prefix: 'r-' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { requestId: [{ prefix: 'x-' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { requestId: [{ suffix: '-1' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { requestId: [{ 'anything-but': ['r-2'] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { requestId: [{ 'anything-but': 'r-1' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { n: [{ numeric: ['>', 1, '<=', 5] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { n: [{ numeric: ['>', 5] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { requestId: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { missing: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { requestId: [{ exists: false }] } }, event)).toBe(false);
    expect(matchesPattern({ source: [{ 'equals-ignore-case': 'PNI.REQUESTS' }] }, event)).toBe(true);
    expect(matchesPattern({ 'detail-type': [{ wildcard: 'PNI * Requested' }] }, event)).toBe(true);
    expect(matchesPattern({ $or: [{ source: ['nope'] }, { detail: { n: [5] } }] }, event)).toBe(true);
  });
});

describe('applyInputTransformer', () => {
  const ctx = {
    ruleArn: 'arn:aws:events:us-west-2:111122223333:rule/r',
    ruleName: 'r',
    ingestionTime: '2026-01-01T00:00:01Z',
  };
  it('quoted placeholders insert text (escaped), unquoted insert JSON values', () => {
    const out = applyInputTransformer(
      {
        inputPathsMap: {
          id: '$.id',
          detail: '$.detail',
          text: '$.detail.text',
          n: '$.detail.n',
          tags: '$.detail.tags',
          env: '$.detail.nested.env',
          none: '$.detail.none',
        },
        inputTemplate:
          '{"eventId":"<id>","request":<detail>,"text":"<text>","n":<n>,"nText":"n=<n>","tags":<tags>,"tagsText":"<tags>","env":<env>,"none":<none>,"noneText":"<none>","rule":"<aws.events.rule-name>"}',
      },
      event,
      ctx,
    );
    const v = JSON.parse(out);
    expect(v).toEqual({
      eventId: 'ev-1',
      request: event.detail,
      text: 'a "quoted"\nline',
      n: 5,
      nText: 'n=5',
      tags: ['x', 'y'],
      tagsText: '["x","y"]',
      env: 'env-abc',
      none: null,
      noneText: '',
      rule: 'r',
    });
  });
  it('plain-text templates insert strings raw', () => {
    expect(
      applyInputTransformer(
        { inputPathsMap: { r: '$.detail.requestId' }, inputTemplate: 'request <r> arrived' },
        event,
        ctx,
      ),
    ).toBe('request r-1 arrived');
  });
  it('the project template keeps the event id', () => {
    const out = applyInputTransformer(
      {
        inputPathsMap: { eventId: '$.id', detail: '$.detail' },
        inputTemplate: '{"source":"eventbridge","eventId":"<eventId>","request":<detail>}',
      },
      event,
      ctx,
    );
    expect(JSON.parse(out)).toEqual({ source: 'eventbridge', eventId: 'ev-1', request: event.detail });
  });
  it('reserved variables', () => {
    const out = JSON.parse(
      applyInputTransformer(
        {
          inputPathsMap: {},
          inputTemplate:
            '{"e":<aws.events.event>,"full":<aws.events.event.json>,"arn":"<aws.events.rule-arn>","at":"<aws.events.event.ingestion-time>"}',
        },
        event,
        ctx,
      ),
    );
    expect(out.e.detail).toBeUndefined();
    expect(out.e.id).toBe('ev-1');
    expect(out.full.detail.requestId).toBe('r-1');
    expect(out.arn).toBe(ctx.ruleArn);
    expect(out.at).toBe(ctx.ingestionTime);
  });
});
