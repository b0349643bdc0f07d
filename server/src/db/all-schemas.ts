// Every table of the app, for drizzle's relational queries. Feature modules
// append their schema file here.
export * from './schema.ts';
export * from '../modules/voting/voting.schema.ts';
export * from '../modules/conference/conference.schema.ts';
export * from '../modules/documents/documents.schema.ts';
export * from '../modules/reports/reports.schema.ts';
export * from '../modules/reminders/reminders.schema.ts';
export * from '../modules/minutes/minutes.schema.ts';
export * from '../modules/recording/recording.schema.ts';
