export * from './broker-error';
export * from './config-errors';
export * from './connection-errors';
export * from './error-codes';
export * from './message-errors';
export * from './offset-errors';
export * from './topic-errors';
