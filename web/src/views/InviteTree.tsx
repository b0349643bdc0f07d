import { useEffect, useMemo, useState } from 'preact/hooks';
import { searchKey, type BridgePoint, type Unit, type User } from '@diemcau/shared';
import { api } from '../lib/api.ts';
import { t } from '../lib/i18n.ts';
import { useAction, useAsync } from '../lib/use-async.ts';
import { Button, ErrorBox, Loading } from '../components/ui.tsx';

interface Node {
  unit: Unit;
  children: Node[];
}

/** province → district → commune, each level sorted by code. */
function buildTree(units: Unit[]): Node[] {
  const byParent = new Map<number | null, Unit[]>();
  for (const u of units) {
    const k = u.parentId ?? null;
    byParent.set(k, [...(byParent.get(k) ?? []), u]);
  }
  const ids = new Set(units.map((u) => u.id));
  const make = (u: Unit): Node => ({
    unit: u,
    children: (byParent.get(u.id) ?? []).sort((a, b) => a.code.localeCompare(b.code, 'vi', { numeric: true })).map(make),
  });
  // Roots: provinces, or units whose parent is not visible to this user.
  return units.filter((u) => u.parentId === null || !ids.has(u.parentId)).map(make);
}

function subtreeUnitIds(n: Node): number[] {
  return [n.unit.id, ...n.children.flatMap(subtreeUnitIds)];
}

function toggleMany(set: Set<number>, ids: number[], on: boolean): Set<number> {
  const next = new Set(set);
  for (const id of ids) {
    if (on) next.add(id);
    else next.delete(id);
  }
  return next;
}

function Check(props: { checked: boolean; mixed?: boolean; label: string; onChange(v: boolean): void; strong?: boolean; disabled?: boolean }) {
  return (
    <label class={`check ${props.strong ? 'check-strong' : ''}`}>
      <input
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        ref={(el) => {
          if (el) el.indeterminate = Boolean(props.mixed);
        }}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <span>{props.label}</span>
    </label>
  );
}

/**
 * Invitation picker. Bridge points and delegates are picked from the unit tree,
 * with "select all" per district (the district's own bridge point and all its
 * communes). Saving sends only the difference from the current invitation.
 */
/** `readOnly`: an ended meeting's invitations are part of the record; shown, not editable. */
export function InviteTree({ meetingId, readOnly = false }: { meetingId: number; readOnly?: boolean }) {
  const data = useAsync(async () => {
    const [units, bps, users, inv] = await Promise.all([
      api.units(),
      api.bridgePoints(),
      api.users('delegate').catch(() => [] as User[]),
      api.meetings.invitation(meetingId),
    ]);
    return { units, bps, users: users.filter((u) => u.role === 'delegate' && u.active), inv };
  }, [meetingId]);
  const [bpSel, setBpSel] = useState<Set<number>>(new Set());
  const [userSel, setUserSel] = useState<Set<number>>(new Set());
  const [open, setOpen] = useState<Set<number>>(new Set());
  const [filter, setFilter] = useState('');
  const act = useAction();
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (!data.data) return;
    setBpSel(new Set(data.data.inv.bridgePoints.map((b) => b.id)));
    setUserSel(new Set(data.data.inv.delegates.map((d) => d.userId)));
    // Provinces start expanded so the districts show at once.
    setOpen((s) => toggleMany(s, data.data!.units.filter((u) => u.level === 'province').map((u) => u.id), true));
  }, [data.data]);

  const tree = useMemo(() => buildTree(data.data?.units ?? []), [data.data]);
  const bpsByUnit = useMemo(() => {
    const m = new Map<number, BridgePoint[]>();
    for (const b of data.data?.bps ?? []) m.set(b.unitId, [...(m.get(b.unitId) ?? []), b]);
    return m;
  }, [data.data]);
  const usersByUnit = useMemo(() => {
    const m = new Map<number, User[]>();
    for (const u of data.data?.users ?? []) if (u.unitId !== null) m.set(u.unitId, [...(m.get(u.unitId) ?? []), u]);
    return m;
  }, [data.data]);

  if (data.loading && !data.data) return <Loading />;
  if (!data.data) return <ErrorBox error={data.error} onRetry={data.reload} />;

  const bpsUnder = (n: Node) => subtreeUnitIds(n).flatMap((id) => bpsByUnit.get(id) ?? []);
  const usersUnder = (n: Node) => subtreeUnitIds(n).flatMap((id) => usersByUnit.get(id) ?? []);
  const q = searchKey(filter);
  const userMatches = (u: User) => !q || searchKey(u.fullName).includes(q) || u.username.includes(q);

  const save = () => {
    const inv = data.data!.inv;
    const curBp = new Set(inv.bridgePoints.map((b) => b.id));
    const curUsers = new Set(inv.delegates.map((d) => d.userId));
    const addBp = [...bpSel].filter((id) => !curBp.has(id));
    const delBp = [...curBp].filter((id) => !bpSel.has(id));
    const addU = [...userSel].filter((id) => !curUsers.has(id));
    const delU = [...curUsers].filter((id) => !userSel.has(id));
    setSaved(false);
    return act.run(async () => {
      if (addBp.length) await api.meetings.inviteBridgePoints(meetingId, { bridgePointIds: addBp });
      for (const id of delBp) await api.meetings.uninviteBridgePoint(meetingId, id);
      if (addU.length) await api.meetings.inviteDelegates(meetingId, addU);
      for (const id of delU) await api.meetings.uninviteDelegate(meetingId, id);
      setSaved(true);
      data.reload();
    });
  };

  const bpChecks = (list: BridgePoint[]) =>
    list.map((b) => (
      <Check disabled={readOnly} key={b.id} checked={bpSel.has(b.id)} label={b.name} onChange={(v) => setBpSel((s) => toggleMany(s, [b.id], v))} />
    ));

  const group = (n: Node, depth: number) => {
    const bps = bpsUnder(n).map((b) => b.id);
    const users = usersUnder(n).filter(userMatches);
    const nSel = bps.filter((id) => bpSel.has(id)).length;
    const uSel = users.filter((u) => userSel.has(u.id)).length;
    const isOpen = open.has(n.unit.id) || (q !== '' && users.length > 0);
    const bodyId = `unit-${n.unit.id}`;
    return (
      <li key={n.unit.id} class={`tree-node depth-${depth}`}>
        <div class="tree-head">
          {bps.length > 0 ? (
            <Check
              disabled={readOnly}
              strong
              checked={nSel === bps.length}
              mixed={nSel > 0 && nSel < bps.length}
              label={`${n.unit.name} (${nSel}/${bps.length})`}
              onChange={(v) => setBpSel((s) => toggleMany(s, bps, v))}
            />
          ) : (
            <span class="check check-strong">{n.unit.name}</span>
          )}
          {users.length > 0 && (
            <Check
              disabled={readOnly}
              checked={uSel === users.length}
              mixed={uSel > 0 && uSel < users.length}
              label={`${t('invite.delegates')} (${uSel}/${users.length})`}
              onChange={(v) => setUserSel((s) => toggleMany(s, users.map((u) => u.id), v))}
            />
          )}
          {n.children.length > 0 && (
            <Button
              variant="ghost"
              aria-expanded={isOpen}
              aria-controls={bodyId}
              aria-label={`${n.unit.name}: ${isOpen ? t('common.close') : t('common.open')}`}
              onClick={() => setOpen((s) => toggleMany(s, [n.unit.id], !s.has(n.unit.id)))}
            >
              {isOpen ? '▾' : '▸'}
            </Button>
          )}
        </div>
        {(isOpen || n.children.length === 0) && (
          <div id={bodyId} class="tree-body">
            <div class="check-grid">{bpChecks(bpsByUnit.get(n.unit.id) ?? [])}</div>
            <div class="check-grid">
              {(usersByUnit.get(n.unit.id) ?? []).filter(userMatches).map((u) => (
                <Check disabled={readOnly} key={`u${u.id}`} checked={userSel.has(u.id)} label={u.fullName} onChange={(v) => setUserSel((s) => toggleMany(s, [u.id], v))} />
              ))}
            </div>
            {n.children.length > 0 && <ul class="tree">{n.children.map((c) => group(c, depth + 1))}</ul>}
          </div>
        )}
      </li>
    );
  };

  return (
    <section class="stack" aria-labelledby="invite-h">
      <div class="page-head">
        <h2 id="invite-h">{t('meetings.tab.invite')}</h2>
        <span class="muted">
          {t('invite.bridges')}: {t('invite.selected', { n: bpSel.size })} · {t('invite.delegates')}: {t('invite.selected', { n: userSel.size })}
        </span>
      </div>
      <label class="field">
        <span class="field-label">{t('invite.filter')}</span>
        <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
      </label>
      <ul class="tree tree-root">{tree.map((n) => group(n, 0))}</ul>
      <ErrorBox error={act.error} />
      {saved && (
        <p class="alert alert-ok" role="status">
          {t('invite.saved')}
        </p>
      )}
      {!readOnly && (
        <div class="actions sticky-actions">
          <Button variant="primary" disabled={act.busy} onClick={() => void save()}>
            {t('invite.save')}
          </Button>
        </div>
      )}
    </section>
  );
}
