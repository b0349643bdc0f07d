import { useState } from 'preact/hooks';
import type { BridgePoint, Role } from '@diemcau/shared';
import { t } from '../lib/i18n.ts';

/** Who a restricted document is for: roles, and/or the units of invited bridge points. */
export interface Audience {
  roles: Role[];
  unitIds: number[];
}

const ROLES: Role[] = ['delegate', 'bridge_operator', 'observer'];
/** A restricted document must name its audience; delegates are the usual choice. */
export const DEFAULT_AUDIENCE: Audience = { roles: ['delegate'], unitIds: [] };

const toggle = <T,>(list: T[], x: T): T[] => (list.includes(x) ? list.filter((y) => y !== x) : [...list, x]);

/**
 * Large checkboxes for a restricted document's audience. Clearing the last
 * ticked box is refused with a note rather than a greyed-out box (which reads
 * as "not ticked"): the server refuses an empty audience, which would quietly
 * mean "everyone".
 */
export function AudiencePicker(props: { name: string; value: Audience; bridges: BridgePoint[]; disabled?: boolean; onChange(v: Audience): void }) {
  const { value, disabled } = props;
  const [needOne, setNeedOne] = useState(false);
  const onChange = (next: Audience) => {
    const empty = next.roles.length + next.unitIds.length === 0;
    setNeedOne(empty);
    if (!empty) props.onChange(next);
  };
  // One box per unit, even when a unit has several bridge points.
  const units = [...new Map(props.bridges.map((b) => [b.unitId, b] as const)).values()];
  return (
    <fieldset class="audience" data-audience={props.name}>
      <legend>{t('docs.audience')}</legend>
      {ROLES.map((r) => {
        const on = value.roles.includes(r);
        return (
          <label key={r} class="check">
            <input type="checkbox" checked={on} disabled={disabled} onChange={() => onChange({ ...value, roles: toggle(value.roles, r) })} /> {t(`role.${r}`)}
          </label>
        );
      })}
      {units.length > 0 && (
        <details class="audience-units" open={value.unitIds.length > 0}>
          <summary>
            {t('docs.audienceUnits')}
            {value.unitIds.length > 0 && ` (${value.unitIds.length})`}
          </summary>
          <div class="check-grid">
            {units.map((b) => {
              const on = value.unitIds.includes(b.unitId);
              return (
                <label key={b.unitId} class="check">
                  <input
                    type="checkbox"
                    checked={on}
                    disabled={disabled}
                    onChange={() => onChange({ ...value, unitIds: toggle(value.unitIds, b.unitId) })}
                  />{' '}
                  {b.name}
                </label>
              );
            })}
          </div>
        </details>
      )}
      {needOne && (
        <p class="audience-note" role="status">
          {t('docs.audienceNeedOne')}
        </p>
      )}
    </fieldset>
  );
}

/** The audience as the document API names it. */
export const audienceBody = (a: Audience) => ({ audienceRoles: a.roles, audienceUnitIds: a.unitIds });
