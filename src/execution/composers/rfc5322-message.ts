import { ComposeArgumentError } from './argument-error.ts';

/**
 * An email as Composio's Gmail tools take it (recipient_email, extra_recipients, cc, bcc, subject,
 * body, is_html) turned into the RFC 5322 message Gmail's `messages.send` wants, base64url-encoded in
 * `raw` (Gmail API, users.messages: "raw ... base64url encoded string").
 *
 * No argument can add a header: addresses with a line break or other control character are refused
 * (RFC 5322 3.4.1 has no place for one), the subject is written as RFC 2047 encoded-words whenever it
 * is not plain printable ASCII, and the body travels base64-encoded (RFC 2045 6.8), so a CR or LF
 * inside it is content, never a header boundary.
 */
const CONSUMES = ['recipient_email', 'extra_recipients', 'cc', 'bcc', 'subject', 'body', 'is_html'] as const;

// an addr-spec (RFC 5322 3.4.1) without comments or quoted local parts: nothing a header could be split on
const ADDRESS = /^[^\s@<>(),;:"\\[\]\x00-\x1f\x7f]+@[^\s@<>(),;:"\\[\]\x00-\x1f\x7f]+$/;

function addresses(argument: string, value: unknown): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.map((address) => {
    const text = String(address).trim();
    if (!ADDRESS.test(text)) throw new ComposeArgumentError(argument, `${argument} must be plain email addresses (name@domain)`);
    return text;
  });
}

// RFC 2047 2: an encoded-word is at most 75 characters; 45 bytes make 60 base64 characters plus the 12 of `=?UTF-8?B??=`
const WORD_BYTES = 45;

/** A header value as plain ASCII when it is printable, else as encoded-words folded onto continuation lines (RFC 2047 5(1)). */
export function encodeHeaderText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text) && !text.includes('=?') && text.length <= 900) return text;
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > WORD_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

/** RFC 2045 6.8: base64 lines of at most 76 characters. */
const base64Lines = (text: string) =>
  (
    Buffer.from(text)
      .toString('base64')
      .match(/.{1,76}/g) ?? ['']
  ).join('\r\n');

export function rfc5322Message(args: Record<string, unknown>): string {
  const to = [...addresses('recipient_email', args.recipient_email), ...addresses('extra_recipients', args.extra_recipients)];
  const cc = addresses('cc', args.cc);
  const bcc = addresses('bcc', args.bcc);
  if (to.length + cc.length + bcc.length === 0) throw new ComposeArgumentError('recipient_email', 'the email needs at least one recipient');
  const headers = [
    ...(to.length > 0 ? [`To: ${to.join(', ')}`] : []),
    ...(cc.length > 0 ? [`Cc: ${cc.join(', ')}`] : []),
    // Gmail delivers to Bcc addresses and takes the header out of what the other recipients get
    ...(bcc.length > 0 ? [`Bcc: ${bcc.join(', ')}`] : []),
    `Subject: ${encodeHeaderText(String(args.subject ?? ''))}`,
    'MIME-Version: 1.0',
    `Content-Type: ${args.is_html === true ? 'text/html' : 'text/plain'}; charset=UTF-8`,
    'Content-Transfer-Encoding: base64',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${base64Lines(String(args.body ?? ''))}\r\n`;
}

export const rfc5322Composer = {
  consumes: CONSUMES,
  produces: ['raw'],
  compose: (args: Record<string, unknown>) => ({ raw: Buffer.from(rfc5322Message(args)).toString('base64url') }),
};
