/** Injection token of the name of the service's own database. */
export const CLASSROOM_DATABASE_NAME = 'CLASSROOM_DATABASE_NAME';
