export const tickets = () => fetch('/api/tickets');
export const ticket = (id) => fetch(`/api/tickets/${id}`);
export const closeTicket = (id) => fetch(`/api/tickets/${id}`, { method: 'DELETE' });
export const ticketHistory = (id) => fetch(`/api/tickets/${id}/history`);
