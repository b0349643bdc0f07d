/** The subset of pino the media module logs through, so tests and the bench can run without an app. */
export interface MediaLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = () => {};
export const noopLogger: MediaLogger = { debug: noop, info: noop, warn: noop, error: noop };
