export const tickets = () => fetch('/api/v2/tickets');
