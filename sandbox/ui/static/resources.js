// Resources of one request, read from the sandbox's own state (/_sandbox/state: EC2 and Confluent) and its state
// records (/_sandbox/records): subnets/AZs with their ENIs, security group rules, gateway and access point, what a
// rollback or teardown removed, and anything left behind.
import { h, pill, tagValue } from './dom.js';

const REMOVING_STATUSES = new Set(['ROLLED_BACK', 'ROLLBACK_FAILED', 'TORN_DOWN', 'TEARDOWN_FAILED']);

/** Everything the view needs for `requestId`. */
export function resourcesOf(state, items, requestId) {
  const record = items.find((i) => i.pk === `REQUEST#${requestId}` && i.sk === 'META');
  const eniRecords = items.filter((i) => i.pk === `REQUEST#${requestId}` && i.sk.startsWith('ENI#'));
  const tagged = (r) => tagValue(r, 'pni:request-id') === requestId;
  const enis = state.ec2.networkInterfaces.filter(tagged);
  const permissions = new Map();
  for (const p of state.ec2.networkInterfacePermissions) {
    if (!permissions.has(p.NetworkInterfaceId)) permissions.set(p.NetworkInterfaceId, []);
    permissions.get(p.NetworkInterfaceId).push(p);
  }
  const securityGroup =
    state.ec2.securityGroups.find((g) => g.GroupId === record?.securityGroupId) ??
    state.ec2.securityGroups.find(tagged);
  const gateway = state.confluent.gateways.find((g) => g.id === record?.gatewayId);
  const accessPoint = state.confluent.accessPoints.find((a) => a.id === record?.accessPointId);
  const subnetIds = record?.request?.subnetIds ?? [...new Set(enis.map((e) => e.SubnetId))];
  const subnets = subnetIds.map((id) => state.ec2.subnets.find((s) => s.SubnetId === id) ?? { SubnetId: id });
  const liveIds = new Set(enis.map((e) => e.NetworkInterfaceId));
  const removed = [];
  if (record) {
    const gone = (type, id, present) => id && !present && removed.push({ type, id });
    gone('accessPoint', record.accessPointId, accessPoint);
    gone('gateway', record.gatewayId, gateway);
    gone('securityGroup', record.securityGroupId, securityGroup);
    for (const e of eniRecords)
      if (e.eniId && !liveIds.has(e.eniId)) removed.push({ type: 'networkInterface', id: e.eniId, slot: e.slot });
  }
  const leftovers = [...(record?.leftovers ?? [])];
  if (record && REMOVING_STATUSES.has(record.status)) {
    const listed = new Set(leftovers.map((l) => l.id));
    const left = (type, id) =>
      id && !listed.has(id) && leftovers.push({ type, id, reason: `still exists after ${record.status}` });
    for (const e of enis) left('networkInterface', e.NetworkInterfaceId);
    left('securityGroup', securityGroup?.GroupId);
    left('gateway', gateway?.id);
    left('accessPoint', accessPoint?.id);
  }
  return { record, eniRecords, enis, permissions, securityGroup, gateway, accessPoint, subnets, removed, leftovers };
}

function card(title, ...body) {
  return h('div.card', {}, h('h4', {}, title), ...body);
}

function ruleRows(perms) {
  if (!perms?.length) return [h('tr', {}, h('td.muted', { colspan: 3 }, 'none'))];
  return perms.flatMap((p) =>
    (p.IpRanges ?? []).map((r) =>
      h(
        'tr',
        {},
        h('td', {}, p.IpProtocol === '-1' ? 'all' : p.IpProtocol),
        h(
          'td',
          {},
          p.FromPort === undefined ? 'all' : p.FromPort === p.ToPort ? String(p.FromPort) : `${p.FromPort}-${p.ToPort}`,
        ),
        h('td', {}, r.CidrIp, r.Description ? h('span.muted', {}, ` ${r.Description}`) : ''),
      ),
    ),
  );
}

function rulesTable(title, perms) {
  return h('table.rules', {}, h('caption', {}, title), h('tbody', {}, ruleRows(perms)));
}

export function renderResources(host, view, requestId) {
  const { record, enis, permissions, securityGroup, gateway, accessPoint, subnets, removed, leftovers, eniRecords } =
    view;
  const leftIds = new Set(leftovers.map((l) => l.id));
  const mark = (id) => (leftIds.has(id) ? '.leftover' : '');
  const slotOf = (eni) => tagValue(eni, 'pni:slot') ?? eniRecords.find((r) => r.eniId === eni.NetworkInterfaceId)?.slot;

  const summary = h(
    'div.cards',
    {},
    card(
      'Gateway',
      gateway
        ? h(
            `div${mark(gateway.id)}`,
            { 'data-testid': 'gateway' },
            h('code', {}, gateway.id),
            ' ',
            pill(gateway.status?.phase ?? '?'),
            h(
              'div.muted',
              {},
              `account ${gateway.status?.cloud_gateway?.account ?? '-'} · zones ${(gateway.spec?.config?.zones ?? []).join(', ')}`,
            ),
          )
        : h('div.muted', { 'data-testid': 'gateway' }, 'none'),
    ),
    card(
      'Access point',
      accessPoint
        ? h(
            `div${mark(accessPoint.id)}`,
            { 'data-testid': 'access-point' },
            h('code', {}, accessPoint.id),
            ' ',
            pill(accessPoint.status?.phase ?? '?'),
            h(
              'div.muted',
              {},
              `${accessPoint.spec?.config?.network_interfaces?.length ?? 0} ENIs · routes ${(accessPoint.spec?.config?.egress_routes ?? []).join(', ') || '-'}`,
            ),
          )
        : h('div.muted', { 'data-testid': 'access-point' }, 'none'),
    ),
    card(
      'Security group',
      securityGroup
        ? h(
            `div${mark(securityGroup.GroupId)}`,
            { 'data-testid': 'security-group' },
            h('code', {}, securityGroup.GroupId),
            ' ',
            h('span.muted', {}, securityGroup.GroupName),
            rulesTable('ingress', securityGroup.IpPermissions),
            rulesTable('egress', securityGroup.IpPermissionsEgress),
          )
        : h('div.muted', { 'data-testid': 'security-group' }, 'none'),
    ),
  );

  const azs = h(
    'div.azs',
    {},
    subnets.map((s) => {
      const here = enis.filter((e) => e.SubnetId === s.SubnetId).sort((a, b) => Number(slotOf(a)) - Number(slotOf(b)));
      return h(
        'div.az',
        { 'data-az': s.AvailabilityZoneId ?? '', 'data-subnet': s.SubnetId },
        h(
          'h4',
          {},
          `${s.AvailabilityZoneId ?? '?'} `,
          h('span.muted', {}, `${s.AvailabilityZone ?? ''} · ${s.SubnetId} · ${s.CidrBlock ?? ''}`),
        ),
        h('div.az-count', {}, h('b', { 'data-testid': 'az-eni-count' }, String(here.length)), ' ENIs'),
        h(
          'ul.enis',
          {},
          here.map((e) => {
            const perm = (permissions.get(e.NetworkInterfaceId) ?? [])[0];
            const state = perm?.PermissionState?.State ?? 'no permission';
            return h(
              `li.eni${mark(e.NetworkInterfaceId)}`,
              {
                title: `${e.NetworkInterfaceId} ${e.Status}${perm ? ` · ${perm.Permission} for ${perm.AwsAccountId}` : ''}`,
              },
              h('span.slot', {}, `#${slotOf(e) ?? '?'}`),
              h('span.ip', {}, e.PrivateIpAddress),
              h(`span.perm.perm-${state.toLowerCase().replace(/\s+/g, '-')}`, {}, state),
            );
          }),
        ),
      );
    }),
  );

  const live = enis.length + (securityGroup ? 1 : 0) + (gateway ? 1 : 0) + (accessPoint ? 1 : 0);
  const removedEnis = removed.filter((r) => r.type === 'networkInterface');
  const removedOther = removed.filter((r) => r.type !== 'networkInterface');
  host.replaceChildren(
    h(
      'div.res-head',
      {},
      h('span', {}, 'Request ', h('b', {}, requestId), record ? [' ', pill(record.status)] : ' (no state record)'),
      h('span', { 'data-testid': 'live-count' }, live === 0 ? 'no live resources' : `${enis.length} ENIs live`),
      h('span.muted', {}, `${subnets.length} subnets`),
    ),
    live === 0
      ? h('p.empty', { 'data-testid': 'resources-empty' }, 'Nothing exists in the sandbox for this request.')
      : '',
    summary,
    azs,
    removed.length
      ? h(
          'div.removed',
          { 'data-testid': 'removed' },
          h('h4', {}, `Removed by ${record?.status === 'TORN_DOWN' ? 'the teardown' : 'the rollback / teardown'}`),
          h('p', {}, `${removedEnis.length} ENIs`, removedOther.map((r) => `, ${r.type} ${r.id}`).join('')),
          removedEnis.length
            ? h(
                'details',
                {},
                h('summary.muted', {}, 'which ENIs'),
                h('p.muted.small', {}, removedEnis.map((r) => `#${r.slot} ${r.id}`).join('  ')),
              )
            : '',
        )
      : '',
    leftovers.length
      ? h(
          'div.leftovers',
          { 'data-testid': 'leftovers' },
          h('h4', {}, `Leftovers (${leftovers.length})`),
          h(
            'ul',
            {},
            leftovers.map((l) => h('li', {}, h('code', {}, `${l.type} ${l.id}`), ` ${l.reason ?? ''}`)),
          ),
        )
      : '',
  );
}
