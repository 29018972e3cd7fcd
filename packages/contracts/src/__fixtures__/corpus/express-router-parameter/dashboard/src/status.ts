export const health = () => fetch('/api/health');
export const ready = () => fetch('/api/health/ready');
export const metrics = () => fetch('/api/metrics');
