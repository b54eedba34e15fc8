import { evidenceFileProblem } from '../../domain/vendor/evidence-file';

const SHA = '0123456789abcdef'.repeat(4);

describe('evidenceFileProblem', () => {
  it.each([
    [{ name: 'soc2.pdf', sha256: SHA }],
    [{ name: 'soc2.pdf', sha256: SHA, contentType: 'application/pdf' }],
    [{ name: 'x'.repeat(255), sha256: SHA, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }],
  ])('accepts %j', (doc) => {
    expect(evidenceFileProblem(doc)).toBeUndefined();
  });

  it.each([
    [null, /must be a document/],
    ['soc2.pdf', /must be a document/],
    [[SHA], /must be a document/],
    [{ name: 'a', sha256: SHA, size: 3 }, /not size/],
    [{ sha256: SHA }, /needs a name/],
    [{ name: 7, sha256: SHA }, /needs a name/],
    [{ name: 'x'.repeat(256), sha256: SHA }, /needs a name/],
    [{ name: 'a', sha256: SHA.toUpperCase() }, /64 lowercase hexadecimal/],
    [{ name: 'a', sha256: `${SHA}0` }, /64 lowercase hexadecimal/],
    [{ name: 'a', sha256: SHA.replace('a', 'g') }, /64 lowercase hexadecimal/],
    [{ name: 'a', sha256: SHA, contentType: '' }, /media type/],
    [{ name: 'a', sha256: SHA, contentType: 'application/pdf; charset=x' }, /media type/],
  ])('refuses %j', (doc, message) => {
    expect(evidenceFileProblem(doc)).toMatch(message);
  });
});
