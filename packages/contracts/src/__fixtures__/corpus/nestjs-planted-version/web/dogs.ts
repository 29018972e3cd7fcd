export const dogs = () => fetch('/api/v1/dogs');
export const dogsV2 = () => fetch('/api/v2/dogs');
