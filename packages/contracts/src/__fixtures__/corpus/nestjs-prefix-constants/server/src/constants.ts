export const API_PREFIX = 'api/v2';
export const ROUTES = {
  orders: 'orders',
  invoices: 'billing/invoices',
} as const;
