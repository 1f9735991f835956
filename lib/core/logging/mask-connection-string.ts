import { redactConnectionString } from 'mongodb-connection-string-url';

const INLINE_PASSWORD = /(\/\/[^:/@]*:)[^@/]*@/;

/**
 * Returns the connection string with its password (and secret options such
 * as `authMechanismProperties`) replaced, so it can be logged or put in an
 * error message.
 */
export function maskConnectionString(uri: string): string {
  const redacted = redactConnectionString(uri, { redactUsernames: false });
  // The library returns strings it cannot parse unchanged.
  return redacted.replace(INLINE_PASSWORD, '$1****@');
}
