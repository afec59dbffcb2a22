/**
 * Output trees for the EC2 emulator. Each resource is described once as a list of fields carrying both
 * its wire name (the model's locationName, used in the Query XML) and its SDK v3 member name (used in
 * the JSON snapshot, the shape the AWS CLI prints). One description feeds both renderers.
 */
export type Scalar = string | number | boolean;
/** [wire (XML) name, SDK/CLI (JSON) name, value]; an `undefined` value is left out of both renderings. */
export type Field = readonly [xml: string, json: string, value: Value | undefined];
export type Struct = Field[];
export interface List {
  readonly list: readonly Value[];
}
export type Value = Scalar | Struct | List;

export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export function list(items: readonly Value[]): List {
  return { list: items };
}

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function isList(v: Value): v is List {
  return typeof v === 'object' && !Array.isArray(v);
}

function valueXml(v: Value): string {
  if (Array.isArray(v)) return structXml(v);
  if (isList(v)) return v.list.map((i) => `<item>${valueXml(i)}</item>`).join('');
  return xmlEscape(String(v));
}

export function structXml(fields: Struct): string {
  let out = '';
  for (const [name, , value] of fields) {
    if (value === undefined) continue;
    if (isList(value) && value.list.length === 0) {
      out += `<${name}/>`;
      continue;
    }
    out += `<${name}>${valueXml(value)}</${name}>`;
  }
  return out;
}

function valueJson(v: Value): unknown {
  if (Array.isArray(v)) return structJson(v);
  if (isList(v)) return v.list.map(valueJson);
  return v;
}

export function structJson(fields: Struct): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [, name, value] of fields) {
    if (value === undefined) continue;
    out[name] = valueJson(value);
  }
  return out;
}

export function successXml(action: string, requestId: string, fields: Struct): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}"><requestId>${xmlEscape(requestId)}</requestId>${structXml(fields)}</${action}Response>`;
}

export function errorXml(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${xmlEscape(requestId)}</RequestID></Response>`;
}
