/**
 * Helpers to declare Socket.IO commands and broadcasts as TypeBox schemas, so
 * the TypeScript event maps are derived from the same schemas the server
 * validates at runtime.
 */
import type { Static, TSchema } from 'typebox';
import type { Ack } from '../errors.ts';

/** A client→server command: request payload schema and ack data schema. */
export interface CommandDef<Req extends TSchema = TSchema, Res extends TSchema = TSchema> {
  req: Req;
  res: Res;
}
export const command = <Req extends TSchema, Res extends TSchema>(req: Req, res: Res): CommandDef<Req, Res> => ({ req, res });

export type CommandMap = Record<string, CommandDef>;
export type BroadcastMap = Record<string, TSchema>;

/** Socket.IO ClientToServerEvents for a command map: every command takes one payload and an ack. */
export type ClientEventsOf<C extends CommandMap> = {
  [K in keyof C]: (payload: Static<C[K]['req']>, ack: (res: Ack<Static<C[K]['res']>>) => void) => void;
};
/** Socket.IO ServerToClientEvents for a broadcast map. */
export type ServerEventsOf<B extends BroadcastMap> = {
  [K in keyof B]: (payload: Static<B[K]>) => void;
};
export type CommandRequest<C extends CommandMap, K extends keyof C> = Static<C[K]['req']>;
export type CommandResult<C extends CommandMap, K extends keyof C> = Static<C[K]['res']>;
