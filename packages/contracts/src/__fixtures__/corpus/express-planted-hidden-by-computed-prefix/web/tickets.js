export const tickets = () => fetch('/api/v3/tickets');
