import type { Translation } from './types.ts';

/** Spanish texts: the same keys as en.ts (a missing or misspelt key is a TypeScript error). */
export const es: Translation = {
  common: {
    appName: 'CIMCO Yard',
    loading: 'Cargando…',
    retry: 'Reintentar',
    cancel: 'Cancelar',
    close: 'Cerrar',
    dismiss: 'Descartar',
    somethingWentWrong: 'Algo salió mal. Inténtelo de nuevo.',
    language: 'Idioma',
  },
  login: {
    title: 'Iniciar sesión',
    username: 'Usuario',
    password: 'Contraseña',
    signIn: 'Entrar',
    signingIn: 'Entrando…',
    cannotReachServer: 'No se puede conectar con el servidor. Revise la conexión e inténtelo de nuevo.',
    sessionExpired: 'Su sesión ha caducado. Vuelva a iniciar sesión para subir los cambios en cola.',
  },
  sync: {
    online: 'En línea',
    offline: 'Sin conexión',
    pending_one: '{{count}} cambio pendiente de subir',
    pending_other: '{{count}} cambios pendientes de subir',
    pending_many: '{{count}} de cambios pendientes de subir',
    lastSync: 'Última sincronización {{time}}',
    neverSynced: 'Nunca sincronizado',
    needsAttention_one: '{{count}} elemento requiere atención',
    needsAttention_other: '{{count}} elementos requieren atención',
    needsAttention_many: '{{count}} de elementos requieren atención',
    syncing: 'Sincronizando…',
    uploading: 'Subiendo…',
  },
  pwa: {
    updateAvailable: 'Actualización disponible',
    reload: 'Recargar',
    later: 'Más tarde',
    offlineReady: 'Listo para trabajar sin conexión',
  },
  nav: {
    parts: 'Repuestos',
    tasks: 'Tareas',
    equipment: 'Equipos',
    needsAttention: 'Requiere atención',
    signOut: 'Cerrar sesión',
  },
};
