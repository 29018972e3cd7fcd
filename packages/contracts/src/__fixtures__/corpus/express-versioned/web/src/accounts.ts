const V1 = '/api/v1';
const V2 = '/api/v2';

export const legacyAccounts = () => fetch(`${V1}/accounts`);
export const accounts = () => fetch(`${V2}/accounts`);
export const balance = (id: string) => fetch(`${V2}/accounts/${id}/balance`);
