/** The browser side of /api/missions (src/api/routes/missions.ts): the session's token, JSON in and out. */
import type { MissionDetailView, MissionTrackView, MissionView } from '../../../src/vocab/index.js';
import { ApiError, type ApiClient } from '../api.js';

export type MissionTrack = MissionTrackView;
export type MissionSummary = MissionView;
export type MissionDetail = MissionDetailView;

export class MissionsApi {
  constructor(private readonly api: ApiClient) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.api.token) headers['authorization'] = `Bearer ${this.api.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (cause) {
      throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : 'network error');
    }
    const json = (await res.json().catch(() => undefined)) as unknown;
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? res.statusText);
    }
    return json as T;
  }

  private path = (name: string, suffix = '') => `/api/missions/${encodeURIComponent(name)}${suffix}`;

  async list(): Promise<MissionSummary[]> {
    return (await this.call<{ missions: MissionSummary[] }>('GET', '/api/missions')).missions;
  }
  get(name: string): Promise<MissionDetail> {
    return this.call('GET', this.path(name));
  }
  subscribe(name: string): Promise<unknown> {
    return this.call('POST', this.path(name, '/subscription'));
  }
  unsubscribe(name: string): Promise<unknown> {
    return this.call('DELETE', this.path(name, '/subscription'));
  }
  add(name: string, uid: string): Promise<MissionDetail> {
    return this.call('POST', this.path(name, '/contents'), { uid });
  }
}
