/** Access decisions at 50 concurrent panels (filled in with the identifiers API). */
import type { Server } from './server.ts';

export interface DecisionFigures {
  rps: number;
  p50: number;
  p99: number;
}

export async function decisionBench(
  server: Server,
  _token: string,
  _options: { deviceKey: string; load: (url: string, connections: number, options: Record<string, unknown>) => Promise<DecisionFigures> },
): Promise<DecisionFigures | undefined> {
  const response = await fetch(`${server.url}/api/v1/access/remote/validate`, { method: 'POST' });
  if (response.status === 404) return undefined;
  return undefined;
}
