import { maskConnectionString } from '../../lib/core';

describe('maskConnectionString', () => {
  it('hides the password and keeps the user and hosts', () => {
    const masked = maskConnectionString(
      'mongodb://alice:s3cret@db1:27017,db2:27017/app?replicaSet=rs0',
    );
    expect(masked).not.toContain('s3cret');
    expect(masked).toContain('alice');
    expect(masked).toContain('db1:27017,db2:27017');
  });

  it('hides a password in a string it cannot parse', () => {
    expect(maskConnectionString('mongodb://bob:pw@')).not.toContain(':pw@');
  });

  it('leaves a string without credentials alone', () => {
    expect(maskConnectionString('mongodb://localhost:27017')).toMatch(
      /^mongodb:\/\/localhost:27017\/?$/,
    );
  });
});
