/** The HTTP status an error message names ("unexpected status 401", `"code":429`, "(429)"), if any. */
export function apiStatusFromText(text: string): number | undefined {
  const match =
    /\bstatus(?: code)?[:=\s]+(\d{3})\b/i.exec(text) ??
    /"code"\s*:\s*(\d{3})\b/.exec(text) ??
    /\b(\d{3})\s+(?:Unauthorized|Forbidden|Too Many Requests|Internal Server Error|Service Unavailable|Bad Gateway|Overloaded)\b/i.exec(text) ??
    /\((\d{3})\)/.exec(text);
  const status = match ? Number(match[1]) : undefined;
  return status !== undefined && status >= 400 && status < 600 ? status : undefined;
}
