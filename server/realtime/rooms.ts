/**
 * @module
 * Room names: one room per QR; its members are the sockets that proved the QR's secret.
 */
const PREFIX = 'qr:';

export const qrRoom = (random: string): string => `${PREFIX}${random}`;

/** The QR of a room, or null for rooms that are not QR rooms (e.g. a socket's own id). */
export const randomOfRoom = (room: string): string | null => (room.startsWith(PREFIX) ? room.slice(PREFIX.length) : null);
