export const invoices = () => fetch('/api/v1/invoices');
export const invoicesV2 = () => fetch('/api/v2/invoices');
