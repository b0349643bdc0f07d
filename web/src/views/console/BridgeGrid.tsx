import { useMemo, useState } from 'preact/hooks';
import { createStore, useStore } from '../../lib/store.ts';
import { GRID_PAGE_SIZE, gridProducers } from '../../media/follow.ts';
import type { MediaSession } from '../../live/media-client.ts';
import type { BridgeLevel } from '@diemcau/shared';
import { t } from '../../lib/i18n.ts';
import { loadPref, savePref } from '../../lib/prefs.ts';
import { Button, ErrorBox } from '../../components/ui.tsx';
import { useAction } from '../../lib/use-async.ts';
import { sameSource, type LiveState } from '../../live/state.ts';
import { BridgeCard, BridgeChip } from './BridgeCard.tsx';
import { FILTERS, filterCounts, visibleBridges, type BridgeFilter, type FilterContext } from './bridge-filter.ts';

const NO_TRACKS = createStore<ReadonlyMap<string, MediaStreamTrack>>(new Map());
const COMPACT_KEY = 'diemcau.grid.compact';
/** Above this many bridges the compact view is the default: full cards of 213 bridges run to 12,000 px. */
const COMPACT_FROM = 30;

function initialCompact(total: number): boolean {
  const saved = loadPref(COMPACT_KEY);
  return saved !== null ? saved === '1' : total > COMPACT_FROM;
}

/** Search, level, filters with their counts, and the compact switch. */
function Toolbar(props: {
  query: string;
  onQuery(q: string): void;
  level: BridgeLevel | 'all';
  onLevel(l: BridgeLevel | 'all'): void;
  filter: BridgeFilter;
  onFilter(f: BridgeFilter): void;
  counts: Record<BridgeFilter, number>;
  compact: boolean;
  onCompact(v: boolean): void;
}) {
  return (
    <div class="grid-tools">
      <div class="grid-tools-row">
        <label class="inline-field grid-search">
          <span>{t('grid.search')}</span>
          <input type="search" value={props.query} aria-describedby="grid-search-hint" data-action="grid-search" onInput={(e) => props.onQuery(e.currentTarget.value)} />
        </label>
        <span id="grid-search-hint" class="sr-only">
          {t('grid.searchHint')}
        </span>
        <label class="inline-field">
          <span>{t('grid.level')}</span>
          <select value={props.level} onChange={(e) => props.onLevel(e.currentTarget.value as BridgeLevel | 'all')}>
            <option value="all">{t('grid.all')}</option>
            <option value="provincial">{t('level.provincial')}</option>
            <option value="district">{t('level.district')}</option>
            <option value="commune">{t('level.commune')}</option>
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={props.compact} data-action="grid-compact" onChange={(e) => props.onCompact(e.currentTarget.checked)} />
          <span>{t('grid.compact')}</span>
        </label>
      </div>
      <div class="grid-filters" role="group" aria-label={t('filter.label')}>
        {FILTERS.map((f) => (
          <Button key={f} variant={props.filter === f ? 'primary' : 'ghost'} class={`filter-btn filter-${f}`} aria-pressed={props.filter === f} data-filter={f} data-count={props.counts[f]} onClick={() => props.onFilter(f)}>
            {t(`filter.${f}`)} <span class="filter-count">{props.counts[f]}</span>
          </Button>
        ))}
      </div>
    </div>
  );
}

/**
 * Every invited bridge point, searchable and filtered, in full cards or compact
 * tiles; for the current video page a small live picture. The chair puts one on
 * stage or mutes it.
 */
export function BridgeGrid(props: {
  s: LiveState;
  ctx: FilterContext;
  chair: boolean;
  /** The filter, held by the console so the roll-call panel can point the grid at the unconfirmed bridges. */
  filter: BridgeFilter;
  onFilter(f: BridgeFilter): void;
  session?: MediaSession | null;
  page?: number;
  onPage?(n: number): void;
}) {
  const { s, ctx, chair } = props;
  const act = useAction();
  const tracks = useStore(props.session?.tracks ?? NO_TRACKS);
  const total = s.presence.bridges.length;
  const [level, setLevel] = useState<BridgeLevel | 'all'>('all');
  const { filter, onFilter: setFilter } = props;
  const [query, setQuery] = useState('');
  const [compact, setCompactState] = useState(() => initialCompact(total));
  const [selected, setSelected] = useState<number | null>(null);
  const setCompact = (v: boolean) => {
    setCompactState(v);
    savePref(COMPACT_KEY, v ? '1' : '0');
  };
  const videoPages = Math.max(1, Math.ceil(gridProducers(s.media.producers).length / GRID_PAGE_SIZE));
  const page = Math.min(props.page ?? 0, videoPages - 1);
  const bridges = useMemo(() => visibleBridges(s, ctx, { query, filter, level }), [s.presence.bridges, ctx, query, filter, level]);
  const counts = useMemo(() => filterCounts(s, ctx, level), [s.presence.bridges, ctx, level]);
  const run = (fn: () => Promise<unknown>) => void act.run(fn);
  const trackOf = (bp: number) => {
    const video = s.media.producers.find((p) => p.kind === 'video' && sameSource(p.source, { type: 'bridge', bridgePointId: bp }));
    return video ? tracks.get(video.producerId) : undefined;
  };
  const picked = compact && selected !== null ? s.presence.bridges.find((b) => b.bridgePointId === selected) : undefined;
  return (
    <section class="panel" aria-labelledby="grid-h">
      <div class="page-head">
        <h2 id="grid-h">{t('grid.title')}</h2>
        <span role="status" data-shown={bridges.length}>
          {t('grid.shown', { n: bridges.length, total })}
        </span>
      </div>
      <Toolbar query={query} onQuery={setQuery} level={level} onLevel={setLevel} filter={filter} onFilter={setFilter} counts={counts} compact={compact} onCompact={setCompact} />
      {videoPages > 1 && props.onPage && (
        <div class="actions">
          <Button variant="ghost" disabled={page === 0} aria-label={t('grid.prevPage')} onClick={() => props.onPage!(page - 1)}>
            ◂
          </Button>
          <span>{t('grid.videoPage', { n: page + 1, total: videoPages })}</span>
          <Button variant="ghost" disabled={page >= videoPages - 1} aria-label={t('grid.nextPage')} onClick={() => props.onPage!(page + 1)}>
            ▸
          </Button>
        </div>
      )}
      <ErrorBox error={act.error} />
      {picked && (
        <ul class="bridge-grid bridge-picked" aria-label={t('grid.selected')}>
          <BridgeCard s={s} b={picked} ctx={ctx} chair={chair} busy={act.busy} track={trackOf(picked.bridgePointId)} run={run} />
        </ul>
      )}
      {bridges.length === 0 && <p class="muted">{t('grid.none')}</p>}
      <ul class={compact ? 'bridge-chips' : 'bridge-grid'} data-grid={compact ? 'compact' : 'full'} data-shown={bridges.length}>
        {bridges.map((b) =>
          compact ? (
            <BridgeChip key={b.bridgePointId} b={b} ctx={ctx} selected={selected === b.bridgePointId} onSelect={() => setSelected((x) => (x === b.bridgePointId ? null : b.bridgePointId))} />
          ) : (
            <BridgeCard key={b.bridgePointId} s={s} b={b} ctx={ctx} chair={chair} busy={act.busy} track={trackOf(b.bridgePointId)} run={run} />
          ),
        )}
      </ul>
    </section>
  );
}
