import pkg from '../package.json';

export const SERVICE_NAME = 'jobscope';
export const SERVICE_VERSION: string = pkg.version;
