/** The logging port on Powertools' Logger: the line format CloudWatch Logs Insights queries read. */
import { describe, expect, it } from 'vitest';
import type { LogLevel } from '../../lib/runtime';
import { createLogger } from '../../lib/runtime';

function capture(level: LogLevel = 'info', base: Record<string, unknown> = {}) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(base, level, (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { log, lines };
}

describe('createLogger (Powertools Logger underneath)', () => {
  const levels: [LogLevel, string][] = [
    ['debug', 'DEBUG'],
    ['info', 'INFO'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
  ];
  for (const [level, written] of levels) {
    it(`${level}: one JSON line with Powertools' keys, the service and the fields`, () => {
      const { log, lines } = capture('debug', { trigger: 's3' });
      log[level]('something happened', { origin: 's3://b/k:1', count: 2 });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: written,
        message: 'something happened',
        service: 'trailwatch',
        trigger: 's3',
        origin: 's3://b/k:1',
        count: 2,
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    });
  }

  it('writes nothing below its level', () => {
    const { log, lines } = capture('warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    expect(lines.map((line) => line.message)).toEqual(['w']);
  });

  it('a field cannot pass itself off as the level, the message or the service', () => {
    const { log, lines } = capture();
    log.info('the real message', { level: 'DEBUG', message: 'forged', service: 'other', kept: true });
    const line = lines.find((l) => l.message === 'the real message');
    expect(line).toMatchObject({ level: 'INFO', service: 'trailwatch', kept: true });
  });

  it('a child adds its fields and writes to the same sink; the parent keeps its own', () => {
    const { log, lines } = capture('info', { function: 'trail' });
    log.child({ requestType: 'Create' }).info('from the child');
    log.info('from the parent');
    expect(lines[0]).toMatchObject({ function: 'trail', requestType: 'Create', message: 'from the child' });
    expect(lines[1]).toMatchObject({ function: 'trail', message: 'from the parent' });
    expect(lines[1]).not.toHaveProperty('requestType');
  });

  it('exposes its sink, so metrics go where its lines go, and none when writing to stdout', () => {
    expect(capture().log.sink).toBeTypeOf('function');
    expect(createLogger({}, 'error').sink).toBeUndefined();
  });
});
