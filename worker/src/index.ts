export * from './remote-cancel';
