export * from './constants';
export * from './errors';
export * from './oauth';
export * from './api';
export * from './cli';
export * from './ws';
