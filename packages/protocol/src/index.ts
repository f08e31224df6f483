/** The zod instance the schemas are built with, so consumers extend them with the same version. */
export { z } from 'zod';
export * from './api';
export * from './cli';
export * from './constants';
export * from './errors';
export * from './frame';
export * from './oauth';
export * from './ws';
