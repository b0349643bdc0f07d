import { useState } from 'preact/hooks';
import type { AgendaItem } from '@diemcau/shared';
import { api } from '../lib/api.ts';
import { t } from '../lib/i18n.ts';
import { useAction, useAsync } from '../lib/use-async.ts';
import { Button, ErrorBox, Field, Loading } from '../components/ui.tsx';

const move = <T,>(arr: T[], from: number, to: number): T[] => {
  const a = [...arr];
  const [x] = a.splice(from, 1);
  a.splice(to, 0, x!);
  return a;
};

/** Agenda editing: add, edit, delete, and reorder by drag or by Up/Down buttons. */
export function AgendaEditor({ meetingId, readOnly }: { meetingId: number; readOnly?: boolean }) {
  const agenda = useAsync(() => api.agenda.list(meetingId), [meetingId]);
  const act = useAction();
  const [dragId, setDragId] = useState<number | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [announce, setAnnounce] = useState('');
  const items = [...(agenda.data ?? [])].sort((a, b) => a.position - b.position);

  const reorder = (next: AgendaItem[]) => {
    const prev = agenda.data;
    agenda.setData(next.map((it, i) => ({ ...it, position: i })));
    return act.run(async () => {
      try {
        const saved = await api.agenda.reorder(meetingId, next.map((i) => i.id));
        if (Array.isArray(saved)) agenda.setData(saved);
        setAnnounce(t('agenda.reordered'));
      } catch (e) {
        if (prev) agenda.setData(prev);
        throw e;
      }
    });
  };

  const remove = (id: number) =>
    act.run(async () => {
      await api.agenda.remove(meetingId, id);
      agenda.reload();
    });

  if (agenda.loading && !agenda.data) return <Loading />;
  return (
    <section class="stack" aria-labelledby="agenda-h">
      <h2 id="agenda-h">{t('agenda.title')}</h2>
      <ErrorBox error={agenda.error ?? act.error} onRetry={agenda.reload} />
      {items.length === 0 ? (
        <p class="muted">{t('agenda.empty')}</p>
      ) : (
        <>
          {!readOnly && <p class="muted">{t('agenda.dragHint')}</p>}
          <ol class="agenda-list">
            {items.map((it, i) => (
              <li
                key={it.id}
                class={`agenda-row ${dragId === it.id ? 'dragging' : ''}`}
                draggable={!readOnly && editing === null}
                data-item-id={it.id}
                onDragStart={(e) => {
                  setDragId(it.id);
                  e.dataTransfer?.setData('text/plain', String(it.id));
                  if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
                }}
                onDragOver={(e) => {
                  if (dragId !== null) e.preventDefault();
                }}
                onDrop={(e) => {
                  e.preventDefault();
                  const from = items.findIndex((x) => x.id === dragId);
                  setDragId(null);
                  if (from >= 0 && from !== i) void reorder(move(items, from, i));
                }}
                onDragEnd={() => setDragId(null)}
              >
                {editing === it.id ? (
                  <ItemForm
                    initial={it}
                    onCancel={() => setEditing(null)}
                    onSave={async (body) => {
                      await api.agenda.update(meetingId, it.id, body);
                      setEditing(null);
                      agenda.reload();
                    }}
                  />
                ) : (
                  <>
                    {!readOnly && (
                      <span class="drag-handle" aria-hidden="true">
                        ⠿
                      </span>
                    )}
                    <span class="agenda-num">{i + 1}.</span>
                    <div class="grow">
                      <div class="agenda-title">{it.title}</div>
                      <div class="muted">
                        {it.presenter ? `${it.presenter} · ` : ''}
                        {t('common.minutes', { n: it.plannedMinutes })}
                      </div>
                    </div>
                    {!readOnly && (
                      <div class="actions">
                        <Button aria-label={`${t('common.moveUp')}: ${it.title}`} disabled={i === 0} onClick={() => void reorder(move(items, i, i - 1))}>
                          ↑ <span class="sr-md">{t('common.moveUp')}</span>
                        </Button>
                        <Button aria-label={`${t('common.moveDown')}: ${it.title}`} disabled={i === items.length - 1} onClick={() => void reorder(move(items, i, i + 1))}>
                          ↓ <span class="sr-md">{t('common.moveDown')}</span>
                        </Button>
                        <Button aria-label={`${t('common.edit')}: ${it.title}`} onClick={() => setEditing(it.id)}>
                          {t('common.edit')}
                        </Button>
                        <Button variant="danger" aria-label={`${t('common.delete')}: ${it.title}`} onClick={() => void remove(it.id)}>
                          {t('common.delete')}
                        </Button>
                      </div>
                    )}
                  </>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
      <p class="sr-only" role="status" aria-live="polite">
        {announce}
      </p>
      {!readOnly && (
        <div class="card">
          <h3>{t('agenda.add')}</h3>
          <ItemForm
            key={items.length}
            onSave={async (body) => {
              await api.agenda.create(meetingId, body);
              agenda.reload();
            }}
          />
        </div>
      )}
    </section>
  );
}

interface ItemBody {
  title: string;
  presenter: string;
  plannedMinutes: number;
}

function ItemForm(props: { initial?: AgendaItem; onSave(body: ItemBody): Promise<void>; onCancel?(): void }) {
  const [title, setTitle] = useState(props.initial?.title ?? '');
  const [presenter, setPresenter] = useState(props.initial?.presenter ?? '');
  const [minutes, setMinutes] = useState(String(props.initial?.plannedMinutes ?? 15));
  const act = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      await props.onSave({ title: title.trim(), presenter: presenter.trim(), plannedMinutes: Math.max(1, Number(minutes) || 1) });
      if (!props.initial) {
        setTitle('');
        setPresenter('');
      }
    });
  };
  return (
    <form class="item-form" onSubmit={submit}>
      <Field label={t('agenda.field.title')}>
        <input name="agendaTitle" required maxLength={300} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </Field>
      <Field label={t('agenda.field.presenter')}>
        <input name="presenter" maxLength={200} value={presenter} onInput={(e) => setPresenter(e.currentTarget.value)} />
      </Field>
      <Field label={t('agenda.field.minutes')}>
        <input name="plannedMinutes" type="number" min={1} max={600} required value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
      </Field>
      <ErrorBox error={act.error} />
      <div class="actions">
        <Button type="submit" variant="primary" disabled={act.busy}>
          {props.initial ? t('common.save') : t('common.add')}
        </Button>
        {props.onCancel && <Button onClick={props.onCancel}>{t('common.cancel')}</Button>}
      </div>
    </form>
  );
}
