const API_ORIGIN = window.location.origin;

export async function weather(city) {
  const url = new URL(`/api/weather/${encodeURIComponent(city)}`, API_ORIGIN);
  const response = await fetch(url);
  return response.json();
}

export const forecast = (city) => fetch(`/api/weather/${city}`);
