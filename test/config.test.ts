import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../lib/config';

describe('trailwatch.yml', () => {
  it('reads placeholders and rule paths relative to the file', () => {
    const config = parseConfig(
      'placeholders:\n  wide_permission_roles:\n    - arn:aws:iam::*:role/Admin\nrules:\n  paths: [my-rules]\n  disabled: [x]\n',
      '/etc/tw/trailwatch.yml',
    );
    expect(config.placeholders).toEqual({ wide_permission_roles: ['arn:aws:iam::*:role/Admin'] });
    expect(config.rulePaths).toEqual(['/etc/tw/my-rules']);
    expect([...config.disabledRules]).toEqual(['x']);
  });

  const errors: [string, string, RegExp[]][] = [
    [
      'an unknown key',
      'placeholder:\n  x: [a]\n',
      [/c\.yml:1: \(top level\): Unrecognized key: "placeholder"/],
    ],
    [
      'a scalar placeholder',
      'placeholders:\n  roles: arn:aws:iam::1:role/A\n',
      [/c\.yml:2: placeholders\.roles: /],
    ],
    [
      'two problems at once',
      'placeholders:\n  roles: 5\nrules:\n  paths: nope\n',
      [/c\.yml:2: placeholders\.roles/, /c\.yml:4: rules\.paths/],
    ],
    ['bad YAML', 'placeholders: [\n', [/c\.yml:\d+: YAML: /]],
  ];
  for (const [description, text, messages] of errors) {
    it(`rejects ${description} with file:line`, () => {
      try {
        parseConfig(text, 'c.yml');
        expect.unreachable('parseConfig accepted it');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).problems).toEqual(messages.map((m) => expect.stringMatching(m)));
      }
    });
  }

  it('is optional in the working directory but required when named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-config-'));
    expect(loadConfig(undefined, dir).file).toBeUndefined();
    expect(() => loadConfig('missing.yml', dir)).toThrow(/missing\.yml: no such file/);
    writeFileSync(join(dir, 'trailwatch.yml'), 'placeholders: {a: [b]}\n');
    expect(loadConfig(undefined, dir).placeholders).toEqual({ a: ['b'] });
  });
});
