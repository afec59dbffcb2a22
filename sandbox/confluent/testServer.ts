/** A bare HTTP server around a ConfluentEmulator, on 127.0.0.1 and a free port (for unit tests). */
import { startLoopbackServer } from '../http.js';
import type { SandboxResponse } from '../types.js';
import type { ConfluentEmulator } from './emulator.js';

export function startConfluentTestServer(
  emulator: ConfluentEmulator,
): Promise<{ url: string; close: () => Promise<void> }> {
  return startLoopbackServer(async (req): Promise<SandboxResponse> => {
    if (!req.path.startsWith('/networking/v1/')) {
      return {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          errors: [{ status: '404', title: 'Not Found', detail: `No such resource: ${req.path}` }],
        }),
      };
    }
    return emulator.handle(req);
  });
}
