// Just enough RFC 5322 parsing for tests: the Subject header and the (possibly quoted-printable) text body.
export function simpleParser(raw: string): { subject: string; text: string } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const subject = /^subject:\s*(.*)$/im.exec(unfolded)?.[1] ?? '';
  let text = rest.join('\n\n');
  if (/content-transfer-encoding:\s*quoted-printable/i.test(unfolded)) {
    text = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  }
  return { subject, text };
}
