// cleanHumanText skips schemas that mark no string (most commands: a ballot, a check-in) and still
// finds a marked string however deep it sits: in properties, array items and union branches.
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { HumanName, HumanText } from '@diemcau/shared';
import { cleanHumanText } from '../../../server/src/lib/human-text.ts';

const NFD = 'Xa\u0303 Mo\u031B\u0301i';
const NFC = 'Xã Mới';

describe('cleanHumanText', () => {
  it('normalises a marked string nested in items and a union branch, and refuses a bidi override there', () => {
    const schema = Type.Object({
      options: Type.Array(Type.Object({ label: HumanName(80) })),
      note: Type.Union([Type.Null(), Type.Object({ text: HumanText({ maxLength: 80 }) })]),
    });
    const out = cleanHumanText(schema, { options: [{ label: ` ${NFD} ` }], note: { text: NFD } }) as { options: { label: string }[]; note: { text: string } };
    expect(out.options[0]!.label).toBe(NFC);
    expect(out.note.text).toBe(NFC);
    expect(() => cleanHumanText(schema, { options: [{ label: 'a\u202Eb' }], note: null })).toThrow(/options\/0\/label/);
  });

  it('leaves a payload of a schema without human text untouched, however odd its strings', () => {
    const schema = Type.Object({ ballotId: Type.String(), choices: Type.Array(Type.String()) });
    const body = { ballotId: ` ${NFD}\u202E `, choices: [NFD] };
    expect(cleanHumanText(schema, body)).toBe(body);
    expect(body).toEqual({ ballotId: ` ${NFD}\u202E `, choices: [NFD] });
  });

});
