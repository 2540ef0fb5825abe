/** An argument a composer cannot turn into a request (an address with a line break): the caller's to fix, a 400. */
export class ComposeArgumentError extends Error {
  override name = 'ComposeArgumentError';
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message);
  }
}
