export const API_PREFIX = '/api/v1';
export const config = { port: Number(process.env.PORT ?? 3000), routes: { invoices: '/invoices' } };
