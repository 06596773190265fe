import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration of identifiers, faces and time profiles', () => {
  it('has defaults: faces on, no capacities, UTC', () => {
    const config = loadConfig({});
    expect(config.faceRecognition).toBe(true);
    expect(config.maxIdentifiers).toBeUndefined();
    expect(config.maxFaceIdentifiers).toBeUndefined();
    expect(config.timeZone).toBe('UTC');
  });

  it('reads the variables', () => {
    const config = loadConfig({
      GATEHOUSE_FACE_RECOGNITION: 'off',
      GATEHOUSE_MAX_IDENTIFIERS: '5000',
      GATEHOUSE_MAX_FACE_IDENTIFIERS: '100',
      GATEHOUSE_TIMEZONE: 'Europe/Kyiv',
    });
    expect(config).toMatchObject({ faceRecognition: false, maxIdentifiers: 5000, maxFaceIdentifiers: 100, timeZone: 'Europe/Kyiv' });
    expect(loadConfig({ GATEHOUSE_FACE_RECOGNITION: 'ON' }).faceRecognition).toBe(true);
  });

  it.each([
    ['GATEHOUSE_FACE_RECOGNITION', 'maybe'],
    ['GATEHOUSE_MAX_IDENTIFIERS', '-1'],
    ['GATEHOUSE_MAX_FACE_IDENTIFIERS', 'many'],
    ['GATEHOUSE_TIMEZONE', 'Mars/Olympus'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}:`));
  });
});
