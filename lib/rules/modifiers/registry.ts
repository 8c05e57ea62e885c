import { allModifier } from './all';
import { base64Modifier, base64OffsetModifier } from './base64';
import { casedModifier } from './cased';
import { cidrModifier } from './cidr';
import {
  greaterThanModifier,
  greaterThanOrEqualModifier,
  lessThanModifier,
  lessThanOrEqualModifier,
} from './compare';
import { containsModifier } from './contains';
import { endswithModifier } from './endswith';
import { existsModifier } from './exists';
import { expandModifier } from './expand';
import { fieldrefModifier } from './fieldref';
import { notEqualModifier } from './neq';
import { reModifier } from './re';
import { dotAllModifier, ignoreCaseModifier, multilineModifier } from './regex-flags';
import { startswithModifier } from './startswith';
import type { Modifier } from './types';

/**
 * Every modifier trailwatch understands, by the name written after `|` in a rule. Adding one: a
 * file in this folder (built with `valueModifier`, declaring the value kinds it takes, or
 * `itemModifier`, from ./define) and a line here. Names follow Sigma v2 and pySigma's aliases.
 */
export const MODIFIERS: ReadonlyMap<string, Modifier> = new Map<string, Modifier>([
  ['contains', containsModifier],
  ['startswith', startswithModifier],
  ['endswith', endswithModifier],
  ['all', allModifier],
  ['re', reModifier],
  ['i', ignoreCaseModifier],
  ['ignorecase', ignoreCaseModifier],
  ['m', multilineModifier],
  ['multiline', multilineModifier],
  ['s', dotAllModifier],
  ['dotall', dotAllModifier],
  ['exists', existsModifier],
  ['cased', casedModifier],
  ['cidr', cidrModifier],
  ['lt', lessThanModifier],
  ['lte', lessThanOrEqualModifier],
  ['gt', greaterThanModifier],
  ['gte', greaterThanOrEqualModifier],
  ['neq', notEqualModifier],
  ['base64', base64Modifier],
  ['base64offset', base64OffsetModifier],
  ['fieldref', fieldrefModifier],
  ['expand', expandModifier],
]);

/** Windows-specific encodings that no CloudTrail field carries; named so the error can say why. */
export const UNSUPPORTED_MODIFIERS: ReadonlyMap<string, string> = new Map([
  ['windash', 'Windows command-line dashes do not occur in CloudTrail'],
  ['wide', 'UTF-16 encodings do not occur in CloudTrail JSON'],
  ['utf16', 'UTF-16 encodings do not occur in CloudTrail JSON'],
  ['utf16le', 'UTF-16 encodings do not occur in CloudTrail JSON'],
  ['utf16be', 'UTF-16 encodings do not occur in CloudTrail JSON'],
]);
