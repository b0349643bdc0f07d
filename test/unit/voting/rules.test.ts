import { describe, expect, it } from 'vitest';
import type { PollCreate } from '../../../shared/src/index.ts';
import { buildSpec, tally, validateBallot } from '../../../server/src/modules/voting/voting.rules.ts';
import { PollRuleError } from '../../../server/src/modules/voting/voting.errors.ts';

const base = { agendaItemId: null, title: 'Nghị quyết', mode: 'open', majority: 'simple' } as const;
const make = (extra: Partial<PollCreate> & Pick<PollCreate, 'kind'>) => buildSpec({ ...base, ...extra });

function rejects(fn: () => unknown, code = 'VALIDATION_FAILED', msg?: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PollRuleError);
    expect((e as PollRuleError).code).toBe(code);
    if (msg) expect((e as Error).message).toMatch(msg);
    return;
  }
  throw new Error('expected a PollRuleError');
}

describe('approval poll', () => {
  const spec = make({ kind: 'approval' });
  it('has the three fixed Vietnamese answers and sensible defaults', () => {
    expect(spec.options).toEqual([
      { id: 'yes', label: 'Tán thành' },
      { id: 'no', label: 'Không tán thành' },
      { id: 'abstain', label: 'Không biểu quyết' },
    ]);
    expect([spec.minChoices, spec.maxChoices]).toEqual([1, 1]);
    expect(spec.quorum).toEqual({ num: 1, den: 2, inclusive: false });
    expect(spec.allowChange).toBe(false);
    expect(spec.durationSeconds).toBeNull();
  });
  it('accepts exactly one known answer', () => {
    expect(validateBallot(spec, ['yes'])).toEqual(['yes']);
    expect(validateBallot(spec, ['abstain'])).toEqual(['abstain']);
    rejects(() => validateBallot(spec, []), 'VALIDATION_FAILED', /exactly 1/);
    rejects(() => validateBallot(spec, ['yes', 'no']), 'VALIDATION_FAILED', /exactly 1/);
    rejects(() => validateBallot(spec, ['maybe']), 'VALIDATION_FAILED', /not an option/);
  });
  it('refuses options, seats or choice limits', () => {
    rejects(() => make({ kind: 'approval', options: ['a', 'b'] }), 'VALIDATION_FAILED', /options/);
    rejects(() => make({ kind: 'approval', seats: 2 }), 'VALIDATION_FAILED', /seats/);
    rejects(() => make({ kind: 'approval', maxChoices: 2 }), 'VALIDATION_FAILED', /maxChoices/);
  });
});

describe('single choice poll', () => {
  const spec = make({ kind: 'single', options: [' Phương án A ', 'Phương án B', 'Phương án C'] });
  it('numbers trimmed options', () => {
    expect(spec.options).toEqual([
      { id: '1', label: 'Phương án A' },
      { id: '2', label: 'Phương án B' },
      { id: '3', label: 'Phương án C' },
    ]);
  });
  it('accepts exactly one option', () => {
    expect(validateBallot(spec, ['2'])).toEqual(['2']);
    rejects(() => validateBallot(spec, []));
    rejects(() => validateBallot(spec, ['1', '2']));
    rejects(() => validateBallot(spec, ['4']));
  });
  it('needs two distinct, non-empty options', () => {
    rejects(() => make({ kind: 'single', options: ['A'] }), 'VALIDATION_FAILED', /at least 2/);
    rejects(() => make({ kind: 'single' }), 'VALIDATION_FAILED', /at least 2/);
    rejects(() => make({ kind: 'single', options: ['Đồng ý', 'đồng ý'] }), 'VALIDATION_FAILED', /same label/);
    rejects(() => make({ kind: 'single', options: ['A', '   '] }), 'VALIDATION_FAILED', /label/);
    rejects(() => make({ kind: 'single', options: ['A', 'B'], minChoices: 1 }));
  });
});

describe('multiple choice poll', () => {
  const spec = make({ kind: 'multiple', options: ['A', 'B', 'C', 'D'], minChoices: 2, maxChoices: 3 });
  it('accepts between min and max distinct options, returned in option order', () => {
    expect(validateBallot(spec, ['3', '1'])).toEqual(['1', '3']);
    expect(validateBallot(spec, ['4', '2', '1'])).toEqual(['1', '2', '4']);
    rejects(() => validateBallot(spec, ['1']), 'VALIDATION_FAILED', /between 2 and 3/);
    rejects(() => validateBallot(spec, ['1', '2', '3', '4']), 'VALIDATION_FAILED', /between 2 and 3/);
    rejects(() => validateBallot(spec, ['1', '1']), 'VALIDATION_FAILED', /twice/);
  });
  it('defaults to 1..all options', () => {
    const d = make({ kind: 'multiple', options: ['A', 'B', 'C'] });
    expect([d.minChoices, d.maxChoices]).toEqual([1, 3]);
  });
  it('allows a blank ballot only when min is 0', () => {
    const z = make({ kind: 'multiple', options: ['A', 'B'], minChoices: 0 });
    expect(validateBallot(z, [])).toEqual([]);
  });
  it('rejects impossible limits', () => {
    rejects(() => make({ kind: 'multiple', options: ['A', 'B'], maxChoices: 3 }), 'VALIDATION_FAILED', /maxChoices/);
    rejects(() => make({ kind: 'multiple', options: ['A', 'B', 'C'], minChoices: 3, maxChoices: 2 }), 'VALIDATION_FAILED', /minChoices/);
    rejects(() => make({ kind: 'multiple', options: ['A', 'B'], seats: 1 }), 'VALIDATION_FAILED', /seats/);
  });
});

describe('election', () => {
  const spec = make({ kind: 'election', options: ['Nguyễn Văn A', 'Trần Thị B', 'Lê Văn C', 'Phạm D'], seats: 2 });
  it('lets a ballot mark up to N candidates, blank included', () => {
    expect([spec.minChoices, spec.maxChoices]).toEqual([0, 2]);
    expect(validateBallot(spec, [])).toEqual([]);
    expect(validateBallot(spec, ['4'])).toEqual(['4']);
    expect(validateBallot(spec, ['4', '2'])).toEqual(['2', '4']);
    rejects(() => validateBallot(spec, ['1', '2', '3']), 'VALIDATION_FAILED', /between 0 and 2/);
    rejects(() => validateBallot(spec, ['9']));
  });
  it('defaults to one seat and needs no more seats than candidates', () => {
    expect(make({ kind: 'election', options: ['A'] }).maxChoices).toBe(1);
    rejects(() => make({ kind: 'election', options: ['A', 'B'], seats: 3 }), 'VALIDATION_FAILED', /seats/);
    rejects(() => make({ kind: 'election', options: [] }), 'VALIDATION_FAILED', /candidates/);
    rejects(() => make({ kind: 'election', options: ['A', 'B'], maxChoices: 1 }), 'VALIDATION_FAILED', /maxChoices/);
  });
});

describe('common settings', () => {
  it('keeps countdown, change setting and quorum', () => {
    const s = make({ kind: 'approval', durationSeconds: 60, allowChange: true, quorum: { num: 2, den: 3, inclusive: true }, mode: 'secret' });
    expect(s).toMatchObject({ durationSeconds: 60, allowChange: true, quorum: { num: 2, den: 3, inclusive: true }, mode: 'secret' });
  });
  it('rejects a quorum above 100%', () => {
    rejects(() => make({ kind: 'approval', quorum: { num: 3, den: 2, inclusive: false } }), 'VALIDATION_FAILED', /quorum/);
  });
});

describe('tally', () => {
  it('counts every mark per option, in option order, zeros included', () => {
    const spec = make({ kind: 'multiple', options: ['A', 'B', 'C'], minChoices: 0 });
    expect(tally(spec, [['1', '3'], ['3'], [], ['1', '2', '3']])).toEqual([
      { id: '1', votes: 2 },
      { id: '2', votes: 1 },
      { id: '3', votes: 3 },
    ]);
  });
});
