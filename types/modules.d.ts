declare module 'dynalite' {
  import type { Server } from 'node:http';
  function dynalite(opts?: Record<string, unknown>): Server;
  export default dynalite;
}
declare module 'asl-validator' {
  function validator(
    definition: unknown,
    opts?: Record<string, unknown>,
  ): { isValid: boolean; errors: unknown[]; errorsText: (sep?: string) => string };
  export = validator;
}
