/**
 * Logs `username` in on a node's web API (`POST /api/auth/login` on its HTTP port) and returns the bearer
 * token; a refused login throws with its status and body (tests that expect a refusal call the route themselves).
 */
export async function loginToken(httpPort: number, username: string, password: string): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${httpPort}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!r.ok) throw new Error(`login ${username}: HTTP ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}
