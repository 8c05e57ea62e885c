import { describe, expect, it } from 'vitest';
import { formatActor } from '../../lib/actor';
import type { Actor } from '../../lib/actor/types';
import { detectionAlert } from '../../lib/alerts';
import { renderTable } from '../../lib/cli/scan';
import { MAX_CELL } from '../../lib/cli/table';
import type { Finding } from '../../lib/scan';
import { personLine, toFinding } from '../../lib/scan';
import { ALICE_VIA_CHAIN, CLOUDFORMATION, namedActor, UNKNOWN_ADMIN } from '../factories/actors';
import { injectedRecord, injectionRule } from '../factories/alerts';
import { HOSTILE, RAW_CONTROL_OR_NEWLINE } from '../factories/hostile';

function finding(actor: Actor | undefined): Finding {
  return toFinding(detectionAlert(injectionRule(), injectedRecord('deploy'), undefined, actor));
}

describe('findings name the person', () => {
  it.each([
    ['known person through a chain', ALICE_VIA_CHAIN, 'alice'],
    ['unknown person', UNKNOWN_ADMIN, null],
    ['AWS service', CLOUDFORMATION, 'cloudformation.amazonaws.com'],
  ])('%s: person beside principal, the actor object whole', (_name, actor, person) => {
    const f: Record<string, unknown> = JSON.parse(JSON.stringify(finding(actor)));
    expect(f.person).toBe(person);
    expect(f.principal).toBe('arn:aws:sts::111122223333:assumed-role/Admin/deploy');
    expect(f.actor).toEqual(actor);
    // person, then principal: the person comes first in the printed object too.
    const keys = Object.keys(f);
    expect(keys.indexOf('person')).toBe(keys.indexOf('principal') - 1);
  });

  it('the actor object has exactly the documented keys', () => {
    const { actor } = finding({ ...ALICE_VIA_CHAIN, ...{ internal: 'not for output' } });
    expect(Object.keys(actor ?? {}).sort()).toEqual([
      'interface',
      'person',
      'proof',
      'session',
      'sessionName',
      'via',
    ]);
    expect(Object.keys(actor?.person ?? {}).sort()).toEqual(['arn', 'kind', 'name']);
    expect(Object.keys(actor?.proof ?? {}).sort()).toEqual(['detail', 'eventID', 'kind']);
  });

  it('without attribution: actor and person are null, the summary as before', () => {
    const f = finding(undefined);
    expect(f.actor).toBeNull();
    expect(f.person).toBeNull();
    expect(f.summary).toMatch(/^deploy as role Admin called iam:CreateAccessKey/);
  });

  it('the summary starts with the person', () => {
    expect(finding(ALICE_VIA_CHAIN).summary).toMatch(/^alice \(via Admin → OrgAdmin, console\) called/);
  });
});

describe('the scan table', () => {
  const header = (lines: string[]): string[] => (lines[0] ?? '').split(/\s{2,}/);

  it('puts PERSON after TIME and LEVEL and keeps PRINCIPAL', () => {
    const lines = renderTable([finding(ALICE_VIA_CHAIN)]);
    expect(header(lines)).toEqual([
      'TIME',
      'LEVEL',
      'PERSON',
      'RULE',
      'PRINCIPAL',
      'EVENT',
      'SOURCE IP',
      'REGION',
    ]);
    const row = (lines[1] ?? '').split(/\s{2,}/);
    expect(row[2]).toBe('alice via Admin → OrgAdmin (222222222222), console');
    expect(row[4]).toBe('arn:aws:sts::111122223333:assumed-role/Admin/deploy');
  });

  it.each([
    ['unknown person: role and session as they are', UNKNOWN_ADMIN, formatActor(UNKNOWN_ADMIN)],
    [
      'no attribution: the principal as before',
      undefined,
      'arn:aws:sts::111122223333:assumed-role/Admin/deploy',
    ],
  ])('%s', (_name, actor, expected) => {
    expect(personLine(finding(actor))).toBe(expected);
    expect(renderTable([finding(actor)])[1]).toContain(expected);
  });

  it('cuts a person line longer than any name at the cell cap, from the middle', () => {
    const long = finding(namedActor('p'.repeat(500)));
    const cell = (renderTable([long])[1] ?? '').split(/\s{2,}/)[2] ?? '';
    expect(cell).toHaveLength(MAX_CELL);
    expect(cell).toMatch(/^p{30}….*, console$/);
  });

  it.each(HOSTILE)('a person named with %s prints as one inert line', (_name, text) => {
    const lines = renderTable([finding(namedActor(text)), finding({ ...UNKNOWN_ADMIN, sessionName: text })]);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toMatch(RAW_CONTROL_OR_NEWLINE);
  });
});
