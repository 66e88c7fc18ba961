/**
 * The verification code the new device computes in the browser (public/linkCode.js) is the one
 * the service computes and hands the approving device (verificationCode.ts): both screens agree.
 */
import { randomBytes } from 'node:crypto';
import { verificationCode as serviceCode } from '../../trust/enrollment/verificationCode.js';
import { formatCode, verificationCode as pageCode } from './public/linkCode.js';

describe('the verification code', () => {
  it('is the same six digits in the page and in the service, for many challenges and credentials', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const challenge = randomBytes(32).toString('base64url');
      const credentialId = randomBytes(16 + (i % 48)).toString('base64url');
      const code = serviceCode(challenge, credentialId);
      expect(code).toMatch(/^[0-9]{6}$/);
      await expect(pageCode(challenge, credentialId)).resolves.toBe(code);
      seen.add(code);
    }
    expect(seen.size).toBeGreaterThan(190);
  });

  it('changes with the challenge and with the credential', () => {
    const challenge = 'A'.repeat(43);
    expect(serviceCode(challenge, 'cred-one')).not.toBe(serviceCode(challenge, 'cred-two'));
    expect(serviceCode(challenge, 'cred-one')).not.toBe(serviceCode('B'.repeat(43), 'cred-one'));
  });

  it('is shown as two groups of three digits', () => {
    expect(formatCode('012345')).toBe('012 345');
  });
});
