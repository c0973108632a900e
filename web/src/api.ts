/** REST client for the routes in src/api/contract.ts. Errors become ApiError with the server's stable code. */
import type {
  CalendarEventView,
  ChatMessageView,
  FeedListView,
  LabelOptionsView,
  Phase,
  PostureView,
  RequestKind,
  RequestView,
  TrackView,
  UserView,
} from '../../src/api/contract.js';
import type { ShapeSpec } from '../../src/vocab/index.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface LoginResult {
  token: string;
  expiresAt?: string;
  user: UserView;
}

export type RequestAction = 'submit' | 'concur' | 'not-concur' | 'return' | 'execute' | 'close';

/** A label in short form: the server makes it in the user's own policy, owned by the user's nation. */
export interface LabelInput {
  classification: string;
  relTo: string[];
  caveats?: string[];
}

/** Body of POST /api/requests. */
export interface NewRequest {
  kind: RequestKind;
  title: string;
  description: string;
  nations: string[];
  priority: RequestView['priority'];
  area?: RequestView['area'];
  window?: { start: string; end: string };
  deadline?: string;
  label: LabelInput;
}

export class ApiClient {
  token: string | undefined;

  constructor(
    private readonly base: string,
    /** called on any 401 from an authenticated call, before the error is thrown */
    private readonly onUnauthorized: () => void,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown, auth = true, notify401 = true): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && this.token) headers['authorization'] = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (cause) {
      throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : 'network error');
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      if (res.status === 401 && auth && notify401) this.onUnauthorized();
      throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? res.statusText);
    }
    return json as T;
  }

  login(username: string, password: string): Promise<LoginResult> {
    return this.call('POST', '/api/auth/login', { username, password }, false);
  }
  logout(): Promise<unknown> {
    // a dead token on logout is not news: no "session expired" bounce
    return this.call('POST', '/api/auth/logout', {}, true, false);
  }
  me(): Promise<UserView> {
    return this.call('GET', '/api/me');
  }
  /** Sampled track history in [since, until) (ms), released by the node for this user. */
  history(since: number, until: number): Promise<{ items: TrackView[]; step: number }> {
    return this.call('GET', `/api/history?since=${Math.floor(since)}&until=${Math.ceil(until)}`);
  }

  requests(): Promise<{ items: RequestView[]; next?: string }> {
    return this.call('GET', '/api/requests?limit=200');
  }
  createRequest(r: NewRequest): Promise<RequestView> {
    return this.call('POST', '/api/requests', r);
  }
  requestAction(id: string, action: RequestAction, comment?: string): Promise<RequestView> {
    return this.call('POST', `/api/requests/${encodeURIComponent(id)}/${action}`, comment ? { comment } : {});
  }
  comment(id: string, text: string): Promise<RequestView> {
    return this.call('POST', `/api/requests/${encodeURIComponent(id)}/comments`, { text });
  }
  calendar(): Promise<{ items: CalendarEventView[] }> {
    return this.call('GET', '/api/calendar');
  }
  chatRooms(): Promise<{ items: { id: string; name: string }[] }> {
    return this.call('GET', '/api/chat/rooms');
  }
  chatMessages(room: string): Promise<{ items: ChatMessageView[] }> {
    return this.call('GET', `/api/chat/rooms/${encodeURIComponent(room)}/messages`);
  }
  sendChat(room: string, text: string, label?: LabelInput): Promise<ChatMessageView> {
    return this.call('POST', `/api/chat/rooms/${encodeURIComponent(room)}/messages`, label ? { text, label } : { text });
  }
  labelOptions(): Promise<LabelOptionsView> {
    return this.call('GET', '/api/label-options');
  }
  posture(): Promise<PostureView> {
    return this.call('GET', '/api/posture');
  }
  proposePhase(phase: Phase): Promise<PostureView> {
    return this.call('POST', '/api/posture/propose', { phase });
  }
  feeds(): Promise<FeedListView> {
    return this.call('GET', '/api/admin/feeds');
  }
  ackPhase(id: string): Promise<PostureView> {
    return this.call('POST', `/api/posture/${encodeURIComponent(id)}/ack`, {});
  }
  // ---- drawings and overlays (web/src/draw, web/src/overlays) ----
  saveShape(shape: ShapeInput, label?: LabelInput): Promise<{ uids: string[] }> {
    return this.call('POST', '/api/shapes', label ? { shape, label } : { shape });
  }
  importShapes(shapes: ShapeInput[], label: LabelInput): Promise<{ uids: string[] }> {
    return this.call('POST', '/api/shapes/import', { shapes, label });
  }
  deleteShape(uid: string): Promise<unknown> {
    return this.call('DELETE', `/api/shapes/${encodeURIComponent(uid)}`);
  }
  createCalendarEvent(e: CalendarInput): Promise<CalendarEventView> {
    return this.call('POST', '/api/calendar', e);
  }
  updateCalendarEvent(id: string, e: CalendarInput): Promise<CalendarEventView> {
    return this.call('POST', `/api/calendar/${encodeURIComponent(id)}`, e);
  }
}

/** Body of POST /api/shapes: points as [lat, lon], radius in metres. */
export interface ShapeInput extends ShapeSpec {
  uid?: string;
}

export interface CalendarInput {
  title: string;
  start: string;
  end: string;
  participants: string[];
  label?: LabelInput;
}
