/**
 * The app's URLs, defined once: the router's patterns and the links that lead to them. QR plates
 * encode `machine` and `bin` with the yard's origin, so these are part of the printed world and
 * do not change lightly.
 */
export const ROUTES = {
  home: '/',
  dashboard: '/dashboard',
  parts: '/parts',
  part: '/parts/:partNumber',
  bin: '/bins/:location',
  tasks: '/tasks',
  task: '/tasks/:id',
  equipment: '/equipment',
  machine: '/equipment/:tag',
  orders: '/orders',
  log: '/log',
  knowledge: '/knowledge',
  labels: '/labels',
  templates: '/templates',
  import: '/import',
  conflicts: '/conflicts',
  attention: '/attention',
  adminUsers: '/admin/users',
  adminTablets: '/admin/tablets',
  adminAudit: '/admin/audit',
} as const;

const segment = (value: string) => encodeURIComponent(value);

export const paths = {
  part: (partNumber: string) => `/parts/${segment(partNumber)}`,
  bin: (location: string) => `/bins/${segment(location)}`,
  task: (id: string) => `/tasks/${segment(id)}`,
  machine: (tag: string) => `/equipment/${segment(tag)}`,
};
