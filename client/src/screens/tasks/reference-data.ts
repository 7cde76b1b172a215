import { useLiveQuery } from '../../db/react.ts';

/** A machine a task can be about (the equipment picker's choices). */
export interface MachineOption {
  id: string;
  tag: string;
  name: string;
  area: string | null;
}

/** Someone a task can be given to. */
export interface AssignableUser {
  id: string;
  display_name: string;
  role: string;
}

const MACHINES_SQL = `select id, tag, name, area from equipment where status <> 'retired' order by tag`;

/** The crew: storeroom accounts do not run tasks. */
const ASSIGNABLE_USERS_SQL = `select id, display_name, role from users
  where active is not false and role in ('technician', 'supervisor', 'admin') order by display_name`;

/** The people a task can be assigned to, live. */
export function useAssignableUsers(): AssignableUser[] {
  return useLiveQuery<AssignableUser>(ASSIGNABLE_USERS_SQL, [])?.rows ?? NONE;
}

/**
 * The machines and people the task forms choose from, kept live by the screen (not by each form:
 * setting up a live query takes a moment, and a form must be ready when it opens).
 */
export function useTaskReferences(): { machines: MachineOption[]; users: AssignableUser[] } {
  const machines = useLiveQuery<MachineOption>(MACHINES_SQL, [])?.rows ?? NONE;
  const users = useAssignableUsers();
  return { machines, users };
}

const NONE: never[] = [];
