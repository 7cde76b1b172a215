export * from './auth.ts';
export * from './commands.ts';
export * from './domain.ts';
export * from './errors.ts';
export * from './roles.ts';
export * from './shapes.ts';
export * from './tables.ts';
export * from './text.ts';
