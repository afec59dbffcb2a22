/** The Region of a SigV4-signed request, from its credential scope: `Credential=AKID/20240101/us-west-2/ec2/aws4_request`. */
export function regionFromAuthorization(header?: string | string[]): string | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  if (!h) return undefined;
  const m = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/.exec(h);
  return m?.[1];
}
