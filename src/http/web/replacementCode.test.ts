/**
 * The replacement code a person carries from the old device to the new one.
 */
import { generateRegistrationOptions } from '@simplewebauthn/server';
import { decodeReplacementCode, encodeReplacementCode, type Replacement } from './public/replacementCode.js';

async function replacement(): Promise<Replacement> {
  const registrationOptions = await generateRegistrationOptions({ rpName: 'Enigm', rpID: 'localhost', userName: 'alice' });
  return { accountHandle: 'alice', enrollmentId: 'enr_123', deviceId: 'dev_456', label: 'Téléphone neuf 📱', registrationOptions: registrationOptions as never };
}

describe('replacement codes', () => {
  it('round-trip, labels in any script included, and survive line breaks added by pasting', async () => {
    const r = await replacement();
    const code = encodeReplacementCode(r);
    expect(code).toMatch(/^enigm-replacement\.[A-Za-z0-9_-]+$/);
    expect(decodeReplacementCode(code)).toEqual(r);
    const wrapped = `  ${code.slice(0, 40)}\n${code.slice(40, 90)}\r\n${code.slice(90)}  `;
    expect(decodeReplacementCode(wrapped)).toEqual(r);
  });

  it('carry nothing but what the new device needs', async () => {
    const r = await replacement();
    const decoded = decodeReplacementCode(encodeReplacementCode({ ...r, sessionToken: 'eds_secret' } as Replacement));
    expect(Object.keys(decoded).sort()).toEqual(['accountHandle', 'deviceId', 'enrollmentId', 'label', 'registrationOptions']);
  });

  it.each([
    ['something else', 'hello', 'this is not a replacement code'],
    ['a truncated code', 'enigm-replacement.eyJ2Ijox', 'the replacement code is damaged'],
    ['a code with a character changed', 'enigm-replacement.e$J2IjoxfQ', 'the replacement code is damaged'],
    ['another version', `enigm-replacement.${Buffer.from('{"v":2}').toString('base64url')}`, 'another version of this page'],
    ['a code without its enrollment', `enigm-replacement.${Buffer.from('{"v":1,"accountHandle":"a","deviceId":"d","label":"l","registrationOptions":{}}').toString('base64url')}`, 'lacks its enrollmentId'],
    ['a code without options', `enigm-replacement.${Buffer.from('{"v":1,"accountHandle":"a","enrollmentId":"e","deviceId":"d","label":"l"}').toString('base64url')}`, 'lacks its registration options'],
  ])('refuse %s, saying what is wrong', (_what, code, message) => {
    expect(() => decodeReplacementCode(code)).toThrow(message);
  });
});
