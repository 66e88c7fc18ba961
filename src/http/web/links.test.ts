/** The links a QR code carries, and what a pasted text is taken to mean (public/links.js). */
import { approvalLink, readLink, replacementLink } from './public/links.js';

describe('device-linking links', () => {
  it('puts the enrollment or the replacement code in the fragment, which no server receives', () => {
    expect(approvalLink('http://localhost:8080', 'enr_abc')).toBe('http://localhost:8080/#link=enr_abc');
    expect(replacementLink('http://localhost:8080', 'K7M2Q-9XWPD')).toBe('http://localhost:8080/#replace=K7M2Q-9XWPD');
    expect(new URL(approvalLink('http://localhost:8080', 'enr_abc')).search).toBe('');
  });

  it('reads a link, a bare fragment, or an enrollment ID', () => {
    expect(readLink('http://localhost:8080/#link=enr_abc-_1')).toEqual({ link: 'enr_abc-_1' });
    expect(readLink('  #link=enr_abc ')).toEqual({ link: 'enr_abc' });
    expect(readLink('enr_abc')).toEqual({ link: 'enr_abc' });
    expect(readLink('#replace=k7m2q-9xwpd')).toEqual({ replace: 'K7M2Q-9XWPD' });
  });

  it('takes nothing else for a link', () => {
    for (const text of ['', null, undefined, 'hello', 'http://localhost:8080/', '#link=dev_abc', '#link=enr_<script>', '#replace=short', '#link=enr_' + 'a'.repeat(65), 'http://evil/?link=enr_abc']) {
      expect([text, readLink(text)]).toEqual([text, null]);
    }
  });
});
