/** Entry point: login ⇄ COP shell (map + coordination desk), one WebSocket per session. */
import './style.css';
import type { ServerMessage } from '../../src/api/contract.js';
import { ApiClient, type LoginResult } from './api.js';
import { Banners } from './banner.js';
import { Desk } from './desk/desk.js';
import { DeskState } from './desk-state.js';
import { DetailsPanel } from './details.js';
import { CopTools as DrawTools } from './draw/cop-tools.js';
import { errorText } from './desk/context.js';
import { append, clear, h } from './dom.js';
import { FiltersPanel } from './filters.js';
import { CopTools } from './find/cop-tools.js';
import { copLayout, oneAtATimeWhenNarrow } from './layout/cop-layout.js';
import { formatPosition } from './find/coord-pref.js';
import { saveCopPrefs } from './find/view-prefs.js';
import * as fmt from './format.js';
import { getLang, onLangChange, setLang, t, type MessageKey } from './i18n.js';
import { loginView } from './login.js';
import { MapView } from './map-view.js';
import { MissionsPanel } from './missions/missions-panel.js';
import { PerfMeter } from './perf.js';
import { clearSession, loadLang, loadSession, saveLang, saveSession, type Session } from './prefs.js';
import { TrackStore } from './track-store.js';
import { NodeSocket, wsUrl } from './ws.js';

declare global {
  interface Window {
    __kizuna: {
      trackCount(): number;
      shownCount(): number;
      /** tracks drawn as declutter dots by the last redraw */
      dotCount(): number;
      fps(): number;
      lastUpdateLatencyMs(): number;
      connected(): boolean;
      lang(): string;
      /** cumulative counters: WS track messages, overlay redraws and the main-thread ms spent in them (labels
       * part of it), WebGL map repaints, track list renders and their ms */
      counters(): { messages: number; flushes: number; flushMs: number; labelMs: number; mapRepaints: number; listRenders: number; listMs: number };
      /** position of a track in the picture on screen (live or replayed) */
      position(uid: string): { lat: number; lon: number } | undefined;
      replaying(): boolean;
    };
  }
}

const root = document.getElementById('app') as HTMLElement;
const perf = new PerfMeter();
const banners = new Banners();
let store = new TrackStore();
let mapView: MapView | undefined;
let online = false;
let teardown: (() => void) | undefined;
let loginNotice: MessageKey | undefined;
let copTools: CopTools | undefined;

window.__kizuna = {
  trackCount: () => store.size,
  shownCount: () => mapView?.shownCount() ?? 0,
  dotCount: () => mapView?.dotCount() ?? 0,
  fps: () => perf.fps(),
  lastUpdateLatencyMs: () => perf.lastUpdateLatencyMs(),
  connected: () => online,
  lang: () => getLang(),
  counters: () => ({
    messages: perf.messages, flushes: perf.flushes, flushMs: Math.round(perf.flushMs), labelMs: Math.round(perf.labelMs), mapRepaints: perf.mapRepaints,
    listRenders: copTools?.list.renders ?? 0, listMs: Math.round(copTools?.list.renderMs ?? 0),
  }),
  position: (uid) => {
    const e = (mapView?.displayed ?? store).get(uid);
    return e ? { lat: e.track.lat, lon: e.track.lon } : undefined;
  },
  replaying: () => copTools?.replay.replaying ?? false,
};

const api = new ApiClient('', () => logout('login.expired'));

function langButton(): HTMLElement {
  return h('button', { class: 'btn lang', testid: 'lang-toggle', title: 'Language / 言語', onclick: () => {
    const next = getLang() === 'en' ? 'ja' : 'en';
    saveLang(next);
    setLang(next);
  } }, t('lang.toggle'));
}

function logout(notice: MessageKey): void {
  teardown?.();
  teardown = undefined;
  clearSession();
  api.token = undefined;
  loginNotice = notice;
  showLogin();
}

function showLogin(): void {
  document.documentElement.lang = getLang();
  clear(root);
  root.append(
    banners.top,
    loginView(api, loginNotice, (r: LoginResult) => {
      const s: Session = { token: r.token, user: r.user, ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}) };
      saveSession(s);
      loginNotice = undefined;
      startApp(s);
    }, langButton()),
    banners.bottom,
  );
  banners.render();
}

function startApp(session: Session): void {
  api.token = session.token;
  store = new TrackStore();
  const state = new DeskState();
  state.setUser(session.user);
  banners.set(undefined);

  const toasts = h('div', { class: 'toasts', testid: 'toasts' });
  const toast = (text: string, kind: 'info' | 'error' = 'info') => {
    const el = h('div', { class: `toast ${kind}` }, text);
    toasts.append(el);
    setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
  };

  const details = new DetailsPanel(() => select(undefined));
  const cop = new CopTools({ api, live: () => store, select: (uid) => select(uid), toast });
  copTools = cop;
  // a filter change redraws whichever picture is on screen (the replay shares the live store's filter)
  const redrawShown = () => {
    if (mapView) mapView.displayed.dirty = true;
    mapView?.scheduleFlush();
  };
  const filters = new FiltersPanel(store, redrawShown, () => cop.displayExtras(), {
    load: () => cop.prefs.excluded,
    save: (excluded) => saveCopPrefs({ excluded }),
  });
  cop.adoptFilters(filters.el);
  const desk = new Desk({ api, state, toast });
  const mapEl = h('div', { class: 'map', testid: 'map' });
  const counts = h('span', { testid: 'track-counts' });
  const pointer = h('span', { class: 'mono', testid: 'pointer-position' });
  const clock = h('span', { class: 'mono', testid: 'clock' });
  const conn = h('span', { class: 'conn', testid: 'connection-status' });
  const header = h('header', { class: 'topbar' });
  const layout = copLayout(cop.side);
  layout.rail.append(cop.toolbar);
  layout.right.append(details.el);
  layout.bottom.append(cop.replay.el);
  const mapPage = h('section', { class: 'cop', testid: 'cop' }, mapEl, layout.el, cop.loading, h('footer', { class: 'statusbar' }, counts, pointer));
  let page: 'map' | 'desk' = 'map';
  let selectedDirty = false;

  const select = (uid: string | undefined) => {
    details.show(uid, uid ? (mapView?.displayed ?? store).get(uid) : undefined);
    mapView?.select(uid);
  };

  const renderHeader = () => {
    clear(header);
    const u = state.user;
    const nav = (id: 'map' | 'desk', key: MessageKey) =>
      h('button', { class: `nav ${page === id ? 'active' : ''}`, testid: `nav-${id}`, onclick: () => showPage(id) }, t(key));
    append(header, [
      h('div', { class: 'brand' }, h('span', { class: 'logo' }, '絆'), h('span', { class: 'name' }, t('app.title'))),
      h('nav', {}, nav('map', 'nav.map'), nav('desk', 'nav.desk')),
      h('div', { class: 'spacer' }),
      clock,
      state.node ? h('span', { class: 'node', testid: 'node-name' }, `${state.node.node} · ${state.node.nation}`) : null,
      u ? h('span', { class: 'user', testid: 'user-name' }, `${u.displayName ?? u.username} (${u.nation}, ${t(`user.role.${u.role}` as MessageKey)})`) : null,
      conn,
      tools?.alerts.button,
      langButton(),
      h('button', { class: 'btn', testid: 'logout', onclick: () => { void api.logout().catch(() => undefined); logout('login.loggedOut'); } }, t('nav.logout')),
    ]);
    renderConn();
  };
  const renderConn = () => {
    conn.textContent = online ? t('conn.online') : t('conn.offline');
    conn.className = `conn ${online ? 'on' : 'off'}`;
  };
  const renderCounts = (shown: number) => {
    counts.textContent = t('map.tracks', { shown, total: store.size });
  };
  const tickClock = () => {
    const now = new Date().toISOString();
    clock.textContent = fmt.time(now).utc;
    clock.title = fmt.time(now).local;
  };
  const showPage = (p: 'map' | 'desk') => {
    page = p;
    mapPage.classList.toggle('hidden', p !== 'map');
    desk.el.classList.toggle('hidden', p !== 'desk');
    renderHeader();
    if (p === 'desk') desk.render();
    else mapView?.map.resize();
  };

  clear(root);
  root.append(banners.top, header, h('main', {}, mapPage, desk.el), banners.bottom, toasts);
  document.documentElement.lang = getLang();
  mapView = new MapView(mapEl, store, perf, select, (shown) => {
    renderCounts(shown);
    filters.refreshOrigins();
    if (selectedDirty && details.uid) details.render((mapView?.displayed ?? store).get(details.uid));
    selectedDirty = false;
    cop.changed();
  }, (ll) => {
    pointer.textContent = ll ? formatPosition(ll.lat, ll.lng) : '';
  }, cop.prefs.view);
  cop.attach(mapView);
  cop.side.append(cop.measure!.card);
  cop.applyLabels();
  const tools = new DrawTools({
    api,
    map: mapView.map,
    store,
    state,
    toasts,
    toast,
    errorText,
    show: (uid) => {
      const e = store.get(uid);
      showPage('map');
      if (e) {
        select(uid);
        mapView?.flyTo(e.track.lon, e.track.lat);
      }
    },
    useForRequest: () => {
      showPage('desk');
      desk.openRequestForm();
    },
  });
  layout.rail.append(tools.bar);
  layout.right.append(...tools.panels);
  const missions = new MissionsPanel({
    api, map: mapView.map, toast, errorText,
    canWrite: () => !!state.user && state.user.role !== 'viewer',
    livePosition: (uid) => store.get(uid)?.track,
    selected: () => { const e = details.uid ? store.get(details.uid) : undefined; return e && { uid: e.track.uid, name: e.track.callsign }; },
    shapes: () => tools.shapes.all().map((s) => ({ uid: s.uid, name: s.callsign })),
    show: (uid, at) => { showPage('map'); if (store.get(uid)) select(uid); mapView?.flyTo(at.lon, at.lat); },
  });
  layout.rail.append(missions.toggle);
  layout.right.append(missions.panel);
  oneAtATimeWhenNarrow([
    { el: filters.el, close: () => cop.closePanel('filters') },
    { el: cop.list.el, close: () => cop.closePanel('list') },
    { el: cop.measure!.card, close: () => cop.closePanel('measure') },
    { el: details.el, close: () => select(undefined) },
    { el: missions.panel, close: () => missions.setOpen(false) },
    ...tools.closablePanels(),
  ]);
  filters.render();
  showPage('map');
  perf.startFpsLoop();
  tickClock();
  const clockTimer = setInterval(tickClock, 1000);
  state.on('user', renderHeader);

  const onMessage = (msg: ServerMessage, at: number) => {
    if (tools.onMessage(msg)) return;
    switch (msg.t) {
      case 'hello':
        state.setUser(msg.user, { node: msg.node, nation: msg.nation });
        break;
      case 'snapshot':
        perf.received(at);
        store.replaceAll(msg.tracks);
        cop.loaded();
        selectedDirty = true;
        mapView?.scheduleFlush();
        break;
      case 'track':
        perf.received(at);
        store.upsert(msg.track);
        if (msg.track.uid === details.uid) selectedDirty = true;
        mapView?.scheduleFlush();
        break;
      case 'remove':
        perf.received(at);
        store.remove(msg.uid);
        if (msg.uid === details.uid) selectedDirty = true;
        mapView?.scheduleFlush();
        break;
      case 'banner':
        banners.set(msg.label);
        break;
      case 'request':
        state.upsertRequest(msg.request);
        break;
      case 'calendar':
        state.upsertCalendar(msg.event);
        break;
      case 'chat':
        state.addChat([msg.message]);
        break;
      case 'posture':
        state.setPosture(msg.posture);
        break;
      case 'expired':
        logout('login.expired');
        break;
    }
  };

  const socket = new NodeSocket(wsUrl(session.token), {
    onMessage,
    onStatus: (on) => {
      online = on;
      renderConn();
      // After a reconnect, REST state may have moved on while we were away.
      if (on) void desk.load();
    },
    // A dropped socket may mean the token died: ask /api/me (a 401 there logs out via the ApiClient hook).
    shouldReconnect: () => api.me().then(() => true, (e: unknown) => !(e instanceof Error && 'status' in e && (e as { status: number }).status === 401)),
    onBadFrame: () => console.warn('kizuna: ignored malformed WebSocket frame'),
  });
  socket.start();

  const offLang = onLangChange(() => {
    document.documentElement.lang = getLang();
    renderHeader();
    banners.render();
    filters.render();
    renderCounts(mapView?.shownCount() ?? 0);
    mapView?.relabel();
    cop.relabel();
    details.render(details.uid ? (mapView?.displayed ?? store).get(details.uid) : undefined);
    desk.render(true);
    tools.relabel();
    missions.relabel();
  });

  teardown = () => {
    tools.stop();
    socket.stop();
    clearInterval(clockTimer);
    offLang();
    cop.replay.goLive();
    mapView?.map.remove();
    mapView = undefined;
    copTools = undefined;
    online = false;
    store = new TrackStore();
    banners.set(undefined);
  };
}

setLang(loadLang());
onLangChange(() => {
  if (!teardown) showLogin();
});
const existing = loadSession();
if (existing) startApp(existing);
else showLogin();
