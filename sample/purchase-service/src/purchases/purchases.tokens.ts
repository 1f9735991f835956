/** Injection token of the name of the service's own database. */
export const PURCHASE_DATABASE_NAME = 'PURCHASE_DATABASE_NAME';
