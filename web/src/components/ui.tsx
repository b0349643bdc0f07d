/** Small shared UI pieces. Sizes and colours live in styles.css. */
import type { ComponentChildren, JSX } from 'preact';
import { errorText } from '../lib/api.ts';
import { t } from '../lib/i18n.ts';

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div class="alert alert-error" role="alert">
      <span>{errorText(error)}</span>
      {onRetry && (
        <button type="button" class="btn" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  return (
    <p class="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

export function Field(props: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span class="field-label">{props.label}</span>
      {props.children}
      {props.hint && <span class="field-hint">{props.hint}</span>}
    </label>
  );
}

export function Button(props: JSX.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'danger' | 'ghost' | 'big' }) {
  const { variant, class: cls, type, ...rest } = props;
  return <button type={type ?? 'button'} class={`btn ${variant ? `btn-${variant}` : ''} ${cls ?? ''}`} {...rest} />;
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <div class="progress-bar" style={{ width: `${pct}%` }} />
      <span class="progress-text">{pct}%</span>
    </div>
  );
}

/** A whole page whose data is not there yet: the error if loading failed, else "loading". */
export function PagePending({ error, onRetry, class: cls = 'page' }: { error: unknown; onRetry?: () => void; class?: string }) {
  return (
    <main id="main" class={cls}>
      {error ? <ErrorBox error={error} {...(onRetry && { onRetry })} /> : <Loading />}
    </main>
  );
}
