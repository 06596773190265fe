/** `npm start`'s entry point as a real process: configuration errors, bootstrap, serving on a port. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-main-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  output: string;
}

/** Starts the server; when it says it listens, asks it for `url` and stops it. */
function run(env: Record<string, string>, url = '/readyz'): Promise<Run & { status?: number; body?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: dir, PORT: '0', DATABASE_URL: `sqlite:${path.join(dir, 'g.db')}`, ...env },
    });
    let output = '';
    let status: number | undefined;
    let body: string | undefined;
    const onData = async (chunk: Buffer) => {
      output += String(chunk);
      const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match && status === undefined) {
        status = 0;
        const response = await fetch(match[1] + url);
        status = response.status;
        body = await response.text();
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output, status, body }));
  });
}

describe('main', () => {
  it('stops with a message naming a bad variable', async () => {
    const result = await run({ PORT: 'eighty' });
    expect(result.code).toBe(2);
    expect(result.output).toContain('PORT');
  });

  it('creates the admin with a generated password printed once, migrates, and serves', async () => {
    const first = await run({});
    expect(first.status).toBe(200);
    expect(first.body).toBe('{"status":"ok"}');
    const match = /generated password:\s+(\S+)/.exec(first.output);
    expect(match?.[1]?.length).toBeGreaterThanOrEqual(20);
    expect(fs.existsSync(path.join(dir, 'g.db'))).toBe(true);
    const second = await run({});
    expect(second.status).toBe(200);
    expect(second.output).not.toContain('generated password');
    expect(second.output).not.toContain(match?.[1]);
  });
});
