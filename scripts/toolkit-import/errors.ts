/** A mistake in the input (file, spec, options): the CLI prints its message as one line and exits 1. */
export class ImportError extends Error {
  override name = 'ImportError';
}

/** Things the importer left out or guessed, for the operator to review; printed, never fatal. */
export type Warnings = string[];
