/**
 * Socket.IO contract version. Clients send it in the handshake
 * (`auth.protocol`); the server rejects a mismatch with PROTOCOL_MISMATCH.
 * The events themselves are defined in ./events/ (conference room issue).
 */
export const PROTOCOL_VERSION = 1;
