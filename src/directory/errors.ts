/**
 * Input that breaks a directory rule (not the shape of a request, which the dialects check):
 * every problem found, each naming its field and, in a list, its record — `Users[3].Email: …`.
 */
export class InvalidInputError extends Error {
  readonly errors: string[];
  constructor(errors: string | readonly string[]) {
    const list = typeof errors === 'string' ? [errors] : [...errors];
    super(list.join('; '));
    this.name = 'InvalidInputError';
    this.errors = list;
  }
}

/** The message of a key that matches several records (platform-api.md §3). */
export const MULTIPLE_ROWS = 'There are multiple rows in the database for the same value';
