/** Each resource as an output tree (wire name + SDK member name), rendered to XML or to CLI-shaped JSON. */
import type { Az, Eni, Perm, Sg, SgRule, Subnet, Tags, Vpc } from './state.js';
import { list, type Struct, type Value } from './xml.js';

export function tagList(tags: Tags): Value {
  return list(
    [...tags].map(
      ([k, v]): Struct => [
        ['key', 'Key', k],
        ['value', 'Value', v],
      ],
    ),
  );
}
/** `Tags` (most resources): left out when empty, as EC2 does. */
function optionalTags(tags: Tags, json = 'Tags'): Struct {
  return tags.size ? [['tagSet', json, tagList(tags)]] : [];
}

export function privateDnsName(region: string, ip: string): string {
  const host = `ip-${ip.replace(/\./g, '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

export function azView(region: string, az: Az): Struct {
  return [
    ['zoneName', 'ZoneName', az.zoneName],
    ['zoneId', 'ZoneId', az.zoneId],
    ['zoneState', 'State', 'available'],
    ['optInStatus', 'OptInStatus', 'opt-in-not-required'],
    ['messageSet', 'Messages', list([])],
    ['regionName', 'RegionName', region],
    ['groupName', 'GroupName', `${region}-zg-1`],
    ['networkBorderGroup', 'NetworkBorderGroup', region],
    ['zoneType', 'ZoneType', 'availability-zone'],
  ];
}

export function vpcView(v: Vpc): Struct {
  return [
    ['vpcId', 'VpcId', v.id],
    ['ownerId', 'OwnerId', v.ownerId],
    ['state', 'State', 'available'],
    ['cidrBlock', 'CidrBlock', v.cidr],
    [
      'cidrBlockAssociationSet',
      'CidrBlockAssociationSet',
      list([
        [
          ['associationId', 'AssociationId', v.cidrAssociationId],
          ['cidrBlock', 'CidrBlock', v.cidr],
          ['cidrBlockState', 'CidrBlockState', [['state', 'State', 'associated']]],
        ],
      ]),
    ],
    ['ipv6CidrBlockAssociationSet', 'Ipv6CidrBlockAssociationSet', list([])],
    ['dhcpOptionsId', 'DhcpOptionsId', v.dhcpOptionsId],
    ['instanceTenancy', 'InstanceTenancy', 'default'],
    ['isDefault', 'IsDefault', v.isDefault],
    ...optionalTags(v.tags),
  ];
}

export function availableIps(s: Subnet): number {
  return s.range.size - 5 - s.used.size;
}

export function subnetView(region: string, s: Subnet): Struct {
  return [
    ['subnetId', 'SubnetId', s.id],
    ['subnetArn', 'SubnetArn', `arn:aws:ec2:${region}:${s.ownerId}:subnet/${s.id}`],
    ['ownerId', 'OwnerId', s.ownerId],
    ['state', 'State', 'available'],
    ['vpcId', 'VpcId', s.vpcId],
    ['cidrBlock', 'CidrBlock', s.cidr],
    ['ipv6CidrBlockAssociationSet', 'Ipv6CidrBlockAssociationSet', list([])],
    ['availableIpAddressCount', 'AvailableIpAddressCount', availableIps(s)],
    ['availabilityZone', 'AvailabilityZone', s.az],
    ['availabilityZoneId', 'AvailabilityZoneId', s.azId],
    ['defaultForAz', 'DefaultForAz', false],
    ['mapPublicIpOnLaunch', 'MapPublicIpOnLaunch', false],
    ['mapCustomerOwnedIpOnLaunch', 'MapCustomerOwnedIpOnLaunch', false],
    ['assignIpv6AddressOnCreation', 'AssignIpv6AddressOnCreation', false],
    ['ipv6Native', 'Ipv6Native', false],
    ['enableDns64', 'EnableDns64', false],
    [
      'privateDnsNameOptionsOnLaunch',
      'PrivateDnsNameOptionsOnLaunch',
      [
        ['hostnameType', 'HostnameType', 'ip-name'],
        ['enableResourceNameDnsARecord', 'EnableResourceNameDnsARecord', false],
        ['enableResourceNameDnsAAAARecord', 'EnableResourceNameDnsAAAARecord', false],
      ],
    ],
    ...optionalTags(s.tags),
  ];
}

/** Rules grouped the way DescribeSecurityGroups shows them: one IpPermission per protocol and port range. */
export function ipPermissionsView(rules: SgRule[]): Value {
  const groups = new Map<string, SgRule[]>();
  for (const r of rules) {
    const key = `${r.protocol}|${r.fromPort ?? ''}|${r.toPort ?? ''}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return list(
    [...groups.values()].map((rs): Struct => {
      const first = rs[0];
      const all = first.protocol === '-1';
      return [
        ['ipProtocol', 'IpProtocol', first.protocol],
        ['fromPort', 'FromPort', all ? undefined : first.fromPort],
        ['toPort', 'ToPort', all ? undefined : first.toPort],
        [
          'groups',
          'UserIdGroupPairs',
          list(
            rs
              .filter((r) => r.groupId)
              .map(
                (r): Struct => [
                  ['userId', 'UserId', r.userId],
                  ['groupId', 'GroupId', r.groupId],
                  ['description', 'Description', r.description],
                ],
              ),
          ),
        ],
        [
          'ipRanges',
          'IpRanges',
          list(
            rs
              .filter((r) => r.cidrIpv4)
              .map(
                (r): Struct => [
                  ['cidrIp', 'CidrIp', r.cidrIpv4],
                  ['description', 'Description', r.description],
                ],
              ),
          ),
        ],
        [
          'ipv6Ranges',
          'Ipv6Ranges',
          list(
            rs
              .filter((r) => r.cidrIpv6)
              .map(
                (r): Struct => [
                  ['cidrIpv6', 'CidrIpv6', r.cidrIpv6],
                  ['description', 'Description', r.description],
                ],
              ),
          ),
        ],
        [
          'prefixListIds',
          'PrefixListIds',
          list(
            rs
              .filter((r) => r.prefixListId)
              .map(
                (r): Struct => [
                  ['prefixListId', 'PrefixListId', r.prefixListId],
                  ['description', 'Description', r.description],
                ],
              ),
          ),
        ],
      ];
    }),
  );
}

export function sgArn(region: string, sg: Sg): string {
  return `arn:aws:ec2:${region}:${sg.ownerId}:security-group/${sg.id}`;
}

export function sgView(region: string, sg: Sg): Struct {
  return [
    ['ownerId', 'OwnerId', sg.ownerId],
    ['groupId', 'GroupId', sg.id],
    ['groupName', 'GroupName', sg.name],
    ['groupDescription', 'Description', sg.description],
    ['ipPermissions', 'IpPermissions', ipPermissionsView(sg.rules.filter((r) => !r.isEgress))],
    ['ipPermissionsEgress', 'IpPermissionsEgress', ipPermissionsView(sg.rules.filter((r) => r.isEgress))],
    ['vpcId', 'VpcId', sg.vpcId],
    ['securityGroupArn', 'SecurityGroupArn', sgArn(region, sg)],
    ...optionalTags(sg.tags),
  ];
}

function rulePorts(r: SgRule): [number | undefined, number | undefined] {
  return r.protocol === '-1' ? [-1, -1] : [r.fromPort, r.toPort];
}

/** A SecurityGroupRule (Authorize* answers). */
export function ruleView(region: string, sg: Sg, r: SgRule): Struct {
  const [from, to] = rulePorts(r);
  return [
    ['securityGroupRuleId', 'SecurityGroupRuleId', r.id],
    ['groupId', 'GroupId', sg.id],
    ['groupOwnerId', 'GroupOwnerId', sg.ownerId],
    ['isEgress', 'IsEgress', r.isEgress],
    ['ipProtocol', 'IpProtocol', r.protocol],
    ['fromPort', 'FromPort', from],
    ['toPort', 'ToPort', to],
    ['cidrIpv4', 'CidrIpv4', r.cidrIpv4],
    ['cidrIpv6', 'CidrIpv6', r.cidrIpv6],
    ['prefixListId', 'PrefixListId', r.prefixListId],
    [
      'referencedGroupInfo',
      'ReferencedGroupInfo',
      r.groupId
        ? [
            ['groupId', 'GroupId', r.groupId],
            ['userId', 'UserId', r.userId],
          ]
        : undefined,
    ],
    ['description', 'Description', r.description],
    ['securityGroupRuleArn', 'SecurityGroupRuleArn', `arn:aws:ec2:${region}:${sg.ownerId}:security-group-rule/${r.id}`],
    ['tagSet', 'Tags', list([])],
  ];
}

/** A RevokedSecurityGroupRule (Revoke* answers). */
export function revokedRuleView(sg: Sg, r: SgRule): Struct {
  const [from, to] = rulePorts(r);
  return [
    ['securityGroupRuleId', 'SecurityGroupRuleId', r.id],
    ['groupId', 'GroupId', sg.id],
    ['isEgress', 'IsEgress', r.isEgress],
    ['ipProtocol', 'IpProtocol', r.protocol],
    ['fromPort', 'FromPort', from],
    ['toPort', 'ToPort', to],
    ['cidrIpv4', 'CidrIpv4', r.cidrIpv4],
    ['cidrIpv6', 'CidrIpv6', r.cidrIpv6],
    ['prefixListId', 'PrefixListId', r.prefixListId],
    ['referencedGroupId', 'ReferencedGroupId', r.groupId],
    ['description', 'Description', r.description],
  ];
}

export function eniView(region: string, e: Eni): Struct {
  const dns = privateDnsName(region, e.ip);
  const a = e.attachment;
  return [
    ['networkInterfaceId', 'NetworkInterfaceId', e.id],
    ['subnetId', 'SubnetId', e.subnetId],
    ['vpcId', 'VpcId', e.vpcId],
    ['availabilityZone', 'AvailabilityZone', e.az],
    ['availabilityZoneId', 'AvailabilityZoneId', e.azId],
    ['description', 'Description', e.description],
    ['ownerId', 'OwnerId', e.ownerId],
    ['requesterManaged', 'RequesterManaged', false],
    ['status', 'Status', e.status],
    ['macAddress', 'MacAddress', e.mac],
    ['privateIpAddress', 'PrivateIpAddress', e.ip],
    ['privateDnsName', 'PrivateDnsName', dns],
    ['sourceDestCheck', 'SourceDestCheck', true],
    [
      'groupSet',
      'Groups',
      list(
        e.groups.map(
          (g): Struct => [
            ['groupId', 'GroupId', g.groupId],
            ['groupName', 'GroupName', g.groupName],
          ],
        ),
      ),
    ],
    [
      'attachment',
      'Attachment',
      a
        ? [
            ['attachmentId', 'AttachmentId', a.attachmentId],
            ['instanceId', 'InstanceId', a.instanceId],
            ['instanceOwnerId', 'InstanceOwnerId', a.instanceOwnerId],
            ['deviceIndex', 'DeviceIndex', a.deviceIndex],
            ['networkCardIndex', 'NetworkCardIndex', a.networkCardIndex],
            ['status', 'Status', a.status],
            ['attachTime', 'AttachTime', a.attachTime],
            ['deleteOnTermination', 'DeleteOnTermination', a.deleteOnTermination],
          ]
        : undefined,
    ],
    ['tagSet', 'TagSet', tagList(e.tags)],
    [
      'privateIpAddressesSet',
      'PrivateIpAddresses',
      list([
        [
          ['privateIpAddress', 'PrivateIpAddress', e.ip],
          ['privateDnsName', 'PrivateDnsName', dns],
          ['primary', 'Primary', true],
        ],
      ]),
    ],
    ['ipv6AddressesSet', 'Ipv6Addresses', list([])],
    ['interfaceType', 'InterfaceType', 'interface'],
    ['ipv6Native', 'Ipv6Native', false],
  ];
}

export function permView(p: Perm): Struct {
  return [
    ['networkInterfacePermissionId', 'NetworkInterfacePermissionId', p.id],
    ['networkInterfaceId', 'NetworkInterfaceId', p.eniId],
    ['awsAccountId', 'AwsAccountId', p.accountId],
    ['permission', 'Permission', p.permission],
    ['permissionState', 'PermissionState', [['state', 'State', p.state]]],
  ];
}
