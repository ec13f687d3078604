export * from './errors.ts';
export * from './config.ts';
export * from './logger.ts';
export * from './jwt.ts';
export * from './secrets.ts';
export * from './db.ts';
export * from './migrations.ts';
export * from './net.ts';
