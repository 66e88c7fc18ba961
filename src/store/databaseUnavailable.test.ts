import { asDatabaseUnavailable, DatabaseUnavailableError } from './databaseUnavailable.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('asDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'the database is unavailable: connection refused'],
    ['a reset connection', withCode('ECONNRESET'), 'the database is unavailable: connection reset'],
    ['a server shutting down (57P01)', withCode('57P01', 'terminating connection due to administrator command'), 'the database is unavailable: terminating connection due to administrator command'],
    ['a server starting up (57P03)', withCode('57P03', 'the database system is starting up'), 'the database is unavailable: the database system is starting up'],
    ['no free connection slot (53300)', withCode('53300', 'sorry, too many clients already'), 'the database is unavailable: sorry, too many clients already'],
    ['a connection exception (08006)', withCode('08006', 'connection failure'), 'the database is unavailable: connection failure'],
    ['a connection the driver lost', new Error('Connection terminated unexpectedly'), 'the database is unavailable: Connection terminated unexpectedly'],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect'), 'the database is unavailable: timeout exceeded when trying to connect'],
    ['every address of a name refusing', Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), { code: 'ECONNREFUSED' }), 'the database is unavailable: connection refused'],
  ])('recognises %s, in words', (_what, err, message) => {
    const unavailable = asDatabaseUnavailable(err);
    expect(unavailable).toBeInstanceOf(DatabaseUnavailableError);
    expect([unavailable?.message, unavailable?.code, unavailable?.cause]).toEqual([message, 'database_unavailable', err]);
    expect(unavailable?.message).not.toMatch(/ECONNREFUSED/);
  });

  it.each([
    ['a syntax error (42601)', withCode('42601', 'syntax error at or near "SELEC"')],
    ['a unique violation (23505)', withCode('23505', 'duplicate key value')],
    ['a serialization failure (40001)', withCode('40001', 'could not serialize access')],
    ['a wrong password (28P01)', withCode('28P01', 'password authentication failed')],
    ['an error of the service itself', new TypeError('cannot read properties of undefined')],
    ['something thrown that is not an error', 'a string'],
  ])('leaves %s alone', (_what, err) => {
    expect(asDatabaseUnavailable(err)).toBeUndefined();
  });
});
