export * from './errors.ts';
export * from './domain.ts';
export * from './api.ts';
export * from './protocol.ts';
export * from './events/index.ts';
export * from './format.ts';
export * from './text.ts';
export * from './agenda-groups.ts';
