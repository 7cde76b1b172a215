import { COMMANDS, type CommandName } from './commands.ts';
import type { Role } from './roles.ts';
import { SHAPE_RULES } from './shapes.ts';
import type { SyncedTable } from './tables.ts';

/**
 * Who may do what: the one place the server and the tablet's screens ask. Commands carry their
 * roles (commands.ts), tables their readers (shapes.ts); the few actions that are neither a command
 * nor a table read are listed here.
 */

/** May `role` run `command`? The server refuses the command otherwise; screens hide its button. */
export function mayRun(role: Role, command: CommandName): boolean {
  return (COMMANDS[command].roles as readonly Role[]).includes(role);
}

/** May `role` read `table` at all? (Which rows: `visibleRows`.) */
export function mayRead(role: Role, table: SyncedTable): boolean {
  return SHAPE_RULES[table].roles.includes(role);
}

/** Actions over HTTP that are not commands. */
const ACTIONS = {
  /** Import the parts catalog from a CSV file (`POST /api/import/parts`). */
  'parts.import': ['storeroom', 'supervisor', 'admin'],
  /** The admin screens: users, tablets, audit log (`/api/admin/*`). */
  'admin.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Action = keyof typeof ACTIONS;

export function mayDo(role: Role, action: Action): boolean {
  return (ACTIONS[action] as readonly Role[]).includes(role);
}
