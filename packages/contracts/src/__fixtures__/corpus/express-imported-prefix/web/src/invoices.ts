const API_URL = import.meta.env.VITE_API_URL;

export const listInvoices = () => fetch(`${API_URL}/api/v1/invoices`).then((r) => r.json());
export const invoicePdf = (id: string) => fetch(`${API_URL}/api/v1/invoices/${id}/pdf`);
export const sendInvoice = (id: string) => fetch(`${API_URL}/api/v1/invoices/${id}/send`, { method: 'POST' });
