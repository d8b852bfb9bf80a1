export * from './states';
export * from './names';
export * from './job';
export * from './status';
export * from './enqueue';
export * from './errors';
export * from './health';
export * from './routes';
