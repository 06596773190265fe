/** Platform dialect bulk sync of a department's users (filled in with the platform API). */
import type { RawTarget } from './raw.ts';
import type { Server } from './server.ts';

export interface PlatformFigures {
  create: { api: number; raw: number };
  resync: { api: number; raw: number };
  measureRaw(target: RawTarget): Promise<void>;
}

export async function platformBench(
  server: Server,
  _options: { clientId: string; clientSecret: string; users: number; location: string },
): Promise<PlatformFigures | undefined> {
  const response = await fetch(`${server.url}/oAuth/rest/v2/Token`, { method: 'POST' });
  if (response.status === 404) return undefined;
  return undefined;
}
