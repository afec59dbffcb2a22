// The EventBridge events the sandbox recorded (/_sandbox/state .events), in order, each expandable to its JSON.
import { h } from './dom.js';

function detailOf(e) {
  try {
    return JSON.parse(e.Detail ?? '{}');
  } catch {
    return e.Detail;
  }
}

/** Events that name `requestId` (all when it is undefined). */
export function eventsFor(events, requestId) {
  return events.filter((e) => !requestId || detailOf(e)?.requestId === requestId);
}

export function renderEvents(host, events, requestId) {
  const list = eventsFor(events, requestId);
  host.replaceChildren(
    h(
      'p.muted',
      {},
      `${list.length} of ${events.length} recorded events${requestId ? ` name ${requestId}` : ''}, oldest first`,
    ),
    h(
      'ol.events',
      {},
      list.map((e) => {
        const detail = detailOf(e);
        const summary = [
          detail?.phase,
          detail?.status,
          detail?.outcome,
          detail?.failedStep && `failed step ${detail.failedStep}`,
        ]
          .filter(Boolean)
          .join(' · ');
        return h(
          'li.event',
          { 'data-type': e.DetailType },
          h(
            'details',
            {},
            h(
              'summary',
              {},
              h('span.muted', {}, e.Time ?? ''),
              ' ',
              h('b', {}, e.DetailType),
              ' ',
              h('span.muted', {}, e.Source),
              summary ? ` — ${summary}` : '',
            ),
            h('pre', {}, JSON.stringify({ ...e, Detail: detail }, null, 2)),
          ),
        );
      }),
    ),
  );
}
