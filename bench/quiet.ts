// Imported first by the bench processes: the AWS SDK warns on every client that Node 20 support ends in 2027
// (the README says it once). Same filter as bin/pni.js.
const emitWarning = process.emitWarning.bind(process) as (...a: unknown[]) => void;
process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
  const first = rest[0] as string | { type?: string } | undefined;
  const name = typeof first === 'string' ? first : first?.type;
  if (name === 'NodeVersionSupportWarning' || String(warning).includes('NodeVersionSupportWarning')) return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;

export {};
