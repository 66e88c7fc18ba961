import { REDACTED, redactDetails } from './auditReview.js';

describe('redactDetails', () => {
  it('keeps metadata and hides secret-named fields at any depth', () => {
    const details = {
      from: 'trusted', to: 'revoked', reason: 'lost', epoch: 3,
      token: 'x', sessionToken: 'y', bootstrapCode: 'z', recovery_code: 'w', code: '123456', publicKey: 'pk', credentialId: 'cid',
      nested: { clientSecret: 's', kept: 'yes', list: [{ privateKey: 'k', n: 1 }] },
    };
    expect(redactDetails(details)).toEqual({
      from: 'trusted', to: 'revoked', reason: 'lost', epoch: 3,
      token: REDACTED, sessionToken: REDACTED, bootstrapCode: REDACTED, recovery_code: REDACTED, code: REDACTED, publicKey: REDACTED, credentialId: REDACTED,
      nested: { clientSecret: REDACTED, kept: 'yes', list: [{ privateKey: REDACTED, n: 1 }] },
    });
  });

  it('hides values shaped like the tokens the service issues, whatever the field is called', () => {
    const token = `eds_${'A'.repeat(43)}`;
    expect(redactDetails({ note: `leaked ${token}`, refusal: 'invalid_transition' })).toEqual({ note: REDACTED, refusal: 'invalid_transition' });
  });
});
