/** The zod instance the schemas are built with, so consumers extend them with the same version. */
export { z } from 'zod';
export * from './admin';
export * from './api';
export * from './cli';
export * from './clientMessages';
export * from './constants';
export * from './controlFrames';
export * from './errors';
export * from './frame';
export * from './oauth';
export * from './serverEvents';
export * from './serverMessages';
export * from './shared/index';
