/**
 * Errors that end a run with one line and exit 2: the user asked for something that cannot be done (a bad flag
 * value, an unreadable config or baseline, an e-mail that cannot be composed). Any stage may throw one.
 */
export class UsageError extends Error {}
