export const tickets = () => fetch('/api/tickets');
export const openTicket = (ticket) => fetch('/api/tickets', { method: 'POST', body: JSON.stringify(ticket) });
