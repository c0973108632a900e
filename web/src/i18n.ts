/**
 * Every UI string in English and Japanese. Pure (no DOM): the chosen language is persisted by prefs.ts.
 * `ja` is typed against `en`'s keys so a missing translation is a compile error; a unit test checks it too.
 */
export type Lang = 'en' | 'ja';

export const en = {
  'app.title': 'Kizuna COP',
  'app.subtitle': 'Bilateral common operating picture',
  'lang.toggle': '日本語',
  'nav.map': 'Map',
  'nav.desk': 'Coordination desk',
  'nav.logout': 'Sign out',
  'login.title': 'Sign in',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.failed': 'Sign-in failed: {msg}',
  'login.throttled': 'Too many failed sign-ins for this user or address. Try again in a few minutes.',
  'login.expired': 'Your session has expired. Please sign in again.',
  'login.loggedOut': 'You have signed out.',
  'login.notice': 'Authorised use only. All activity is audited.',
  'conn.online': 'Live',
  'conn.offline': 'Reconnecting…',
  'user.role.viewer': 'Viewer',
  'user.role.operator': 'Operator',
  'user.role.coordinator': 'Coordinator',
  'user.role.administrator': 'Administrator',
  'banner.default': 'UNCLASSIFIED',
  'map.tracks': 'Tracks: {shown} / {total}',
  'filter.title': 'Filters',
  'filter.affiliation': 'Affiliation',
  'filter.origin': 'Origin',
  'filter.display': 'Display',
  'filter.declutter': 'Declutter crowded areas',
  'filter.declutterHint': 'Where symbols pile up, show one and mark the others with dots (zoom in to see all)',
  'filter.dimension': 'Dimension',
  'filter.all': 'All',
  'filter.none': 'None',
  'aff.F': 'Friend',
  'aff.A': 'Assumed friend',
  'aff.N': 'Neutral',
  'aff.U': 'Unknown',
  'aff.P': 'Pending',
  'aff.S': 'Suspect',
  'aff.H': 'Hostile',
  'aff.J': 'Joker',
  'aff.K': 'Faker',
  'aff.O': 'None specified',
  'dim.A': 'Air',
  'dim.G': 'Ground',
  'dim.S': 'Sea surface',
  'dim.U': 'Subsurface',
  'dim.P': 'Space',
  'dim.F': 'SOF',
  'dim.Z': 'Other',
  'details.title': 'Track details',
  'details.close': 'Close',
  'details.callsign': 'Callsign',
  'details.uid': 'UID',
  'details.type': 'CoT type',
  'details.sidc': 'Symbol (2525C)',
  'details.time': 'Time',
  'details.stale': 'Stale',
  'details.position': 'Position',
  'details.altitude': 'Altitude (HAE)',
  'details.speed': 'Speed',
  'details.course': 'Course',
  'details.origin': 'Origin',
  'details.how': 'How',
  'details.remarks': 'Remarks',
  'details.removed': 'This track has been removed.',
  'unit.knots': '{v} kn ({ms} m/s)',
  'unit.deg': '{v}°',
  'unit.m': '{v} m',
  'common.unknown': '—',
  'common.utc': 'UTC',
  'common.error': 'Error: {msg}',
  'common.loading': 'Loading…',
  'common.empty': 'Nothing to show.',
  'desk.requests': 'Requests',
  'desk.calendar': 'Exercise calendar',
  'desk.chat': 'Chat',
  'desk.readiness': 'Readiness',
  'desk.feeds': 'Sensor feeds',
  'feeds.col.id': 'Feed',
  'feeds.col.state': 'State',
  'feeds.col.rate': 'Messages/s',
  'feeds.col.errors': 'Decode errors',
  'feeds.col.limited': 'Rate-limited',
  'feeds.col.last': 'Last message',
  'feeds.col.tracks': 'Tracks',
  'feeds.connected': 'connected',
  'feeds.disconnected': 'not connected',
  'feeds.standby': 'standby (another process runs it)',
  'req.new': 'New request',
  'req.col.title': 'Title',
  'req.col.kind': 'Kind',
  'req.col.priority': 'Precedence',
  'req.col.status': 'Status',
  'req.col.concurrence': 'Concurrence',
  'req.col.updated': 'Updated',
  'req.description': 'Description',
  'req.requester': 'Requester',
  'req.nations': 'Nations',
  'req.window': 'Window',
  'req.deadline': 'Deadline',
  'req.escalated': 'Escalated',
  'req.comments': 'Comments',
  'req.comment.placeholder': 'Comment (optional for decisions)',
  'req.action.concur': 'Concur',
  'req.action.notConcur': 'Not concur',
  'req.action.return': 'Return',
  'req.action.comment': 'Add comment',
  'req.action.submit': 'Submit',
  'req.action.execute': 'Start execution',
  'req.action.close': 'Complete',
  'req.select': 'Select a request to see its details.',
  'req.version': 'Version {v}',
  'req.form.title': 'Create a request',
  'req.form.kind': 'Kind',
  'req.form.title.field': 'Title',
  'req.form.description': 'Description',
  'req.form.nations': 'Nations',
  'req.form.priority': 'Precedence',
  'req.form.deadline': 'Deadline',
  'req.form.lat': 'Latitude',
  'req.form.lon': 'Longitude',
  'req.form.classification': 'Classification',
  'req.form.releasableTo': 'Releasable to',
  'label.caveats': 'Caveats',
  'req.form.create': 'Create',
  'req.form.cancel': 'Cancel',
  'req.form.created': 'Request created.',
  'kind.isr': 'ISR',
  'kind.rfi': 'Request for information',
  'kind.asset_protection': 'Asset protection',
  'kind.facility_use': 'Facility use',
  'kind.logistics': 'Logistics',
  'kind.hadr': 'HA/DR',
  'status.draft': 'Draft',
  'status.submitted': 'Submitted',
  'status.in_review': 'In review',
  'status.concurred': 'Concurred',
  'status.not_concurred': 'Not concurred',
  'status.returned': 'Returned',
  'status.in_execution': 'In execution',
  'status.closed': 'Closed',
  'priority.routine': 'Routine',
  'priority.priority': 'Priority',
  'priority.immediate': 'Immediate',
  'decision.pending': 'Awaiting reply',
  'decision.concur': 'Concur',
  'decision.not_concur': 'Not concur',
  'decision.return': 'Return',
  'cal.col.title': 'Event',
  'cal.col.start': 'Start',
  'cal.col.end': 'End',
  'cal.col.participants': 'Participants',
  'chat.rooms': 'Rooms',
  'chat.placeholder': 'Type a message…',
  'chat.send': 'Send',
  'chat.selectRoom': 'Select a room.',
  'posture.title': 'Readiness phases',
  'posture.nation': 'Nation',
  'posture.phase': 'Phase',
  'posture.alliance': 'Alliance posture',
  'posture.pending': 'Pending proposal: {nation} → {phase} (by {by}); awaiting {awaiting}',
  'posture.propose': 'Propose phase',
  'posture.proposeBtn': 'Propose',
  'posture.ack': 'Acknowledge',
  'posture.none': 'No pending proposal.',
  'phase.peacetime': 'Peacetime',
  'phase.gray_zone': 'Gray zone',
  'phase.contingency': 'Contingency',
} as const;

export type MessageKey = keyof typeof en;

export const ja: Record<MessageKey, string> = {
  'app.title': 'Kizuna 共通作戦状況図',
  'app.subtitle': '日米共通作戦状況図',
  'lang.toggle': 'English',
  'nav.map': '地図',
  'nav.desk': '調整デスク',
  'nav.logout': 'ログアウト',
  'login.title': 'ログイン',
  'login.username': 'ユーザー名',
  'login.password': 'パスワード',
  'login.submit': 'ログイン',
  'login.failed': 'ログインに失敗しました: {msg}',
  'login.throttled': 'このユーザーまたはアドレスからのログイン失敗が多すぎます。数分後に再度お試しください。',
  'login.expired': 'セッションの有効期限が切れました。再度ログインしてください。',
  'login.loggedOut': 'ログアウトしました。',
  'login.notice': '許可された者以外の使用を禁止します。全操作は監査のため記録されます。',
  'conn.online': '接続中',
  'conn.offline': '再接続中…',
  'user.role.viewer': '閲覧者',
  'user.role.operator': '運用者',
  'user.role.coordinator': '調整担当',
  'user.role.administrator': '管理者',
  // A marking is a controlled term: the real Japanese marking always comes from the server (markingJa);
  // this default is the one Japanese rendering of "no classification" the server uses too.
  'banner.default': '秘密区分なし',
  'map.tracks': '航跡: {shown} / {total}',
  'filter.title': 'フィルター',
  'filter.affiliation': '識別',
  'filter.origin': '発信国',
  'filter.display': '表示',
  'filter.declutter': '密集地域を簡略表示',
  'filter.declutterHint': '重なり合うシンボルは1つだけ表示し、他は点で示します（ズームインで全て表示）',
  'filter.dimension': '領域',
  'filter.all': 'すべて',
  'filter.none': 'なし',
  'aff.F': '味方',
  'aff.A': '味方推定',
  'aff.N': '中立',
  'aff.U': '不明',
  'aff.P': '識別待ち',
  'aff.S': '敵性の疑い',
  'aff.H': '敵',
  'aff.J': 'ジョーカー（演習・不審役）',
  'aff.K': 'フェイカー（演習・敵役）',
  'aff.O': '未指定',
  'dim.A': '航空',
  'dim.G': '陸上',
  'dim.S': '水上',
  'dim.U': '水中',
  'dim.P': '宇宙',
  'dim.F': '特殊作戦部隊',
  'dim.Z': 'その他',
  'details.title': '航跡詳細',
  'details.close': '閉じる',
  'details.callsign': 'コールサイン',
  'details.uid': 'UID',
  'details.type': 'CoT種別',
  'details.sidc': 'シンボル (2525C)',
  'details.time': '時刻',
  'details.stale': '失効時刻',
  'details.position': '位置',
  'details.altitude': '高度 (HAE)',
  'details.speed': '速力',
  'details.course': '針路',
  'details.origin': '発信国',
  'details.how': '取得方法',
  'details.remarks': '備考',
  'details.removed': 'この航跡は削除されました。',
  'unit.knots': '{v} ノット ({ms} m/s)',
  'unit.deg': '{v}°',
  'unit.m': '{v} m',
  'common.unknown': '—',
  'common.utc': '協定世界時',
  'common.error': 'エラー: {msg}',
  'common.loading': '読み込み中…',
  'common.empty': '表示する項目はありません。',
  'desk.requests': '要請',
  'desk.calendar': '演習カレンダー',
  'desk.chat': 'チャット',
  'desk.readiness': '即応態勢',
  'desk.feeds': 'センサーフィード',
  'feeds.col.id': 'フィード',
  'feeds.col.state': '状態',
  'feeds.col.rate': 'メッセージ/秒',
  'feeds.col.errors': '復号エラー',
  'feeds.col.limited': '流量制限',
  'feeds.col.last': '最終受信',
  'feeds.col.tracks': '航跡',
  'feeds.connected': '接続中',
  'feeds.disconnected': '未接続',
  'feeds.standby': '待機中（他のプロセスが実行）',
  'req.new': '新規要請',
  'req.col.title': '件名',
  'req.col.kind': '種別',
  'req.col.priority': '優先度',
  'req.col.status': '状態',
  'req.col.concurrence': '同意状況',
  'req.col.updated': '更新',
  'req.description': '内容',
  'req.requester': '要請者',
  'req.nations': '関係国',
  'req.window': '期間',
  'req.deadline': '回答期限',
  'req.escalated': '期限超過（上位調整）',
  'req.comments': 'コメント',
  'req.comment.placeholder': 'コメント (判断時は任意)',
  'req.action.concur': '同意',
  'req.action.notConcur': '不同意',
  'req.action.return': '差し戻し',
  'req.action.comment': 'コメント追加',
  'req.action.submit': '提出',
  'req.action.execute': '実施開始',
  'req.action.close': '完了',
  'req.select': '要請を選択すると詳細が表示されます。',
  'req.version': '版 {v}',
  'req.form.title': '要請の作成',
  'req.form.kind': '種別',
  'req.form.title.field': '件名',
  'req.form.description': '内容',
  'req.form.nations': '関係国',
  'req.form.priority': '優先度',
  'req.form.deadline': '回答期限',
  'req.form.lat': '緯度',
  'req.form.lon': '経度',
  'req.form.classification': '秘密区分',
  'req.form.releasableTo': '提供可能先',
  'label.caveats': '取扱制限',
  'req.form.create': '作成',
  'req.form.cancel': '取消',
  'req.form.created': '要請を作成しました。',
  'kind.isr': '情報収集・警戒監視・偵察（ISR）',
  'kind.rfi': '情報提供要請（RFI）',
  'kind.asset_protection': 'アセット防護',
  'kind.facility_use': '施設使用',
  'kind.logistics': '後方支援',
  'kind.hadr': '人道支援・災害救援',
  'status.draft': '下書き',
  'status.submitted': '提出済み',
  'status.in_review': '検討中',
  'status.concurred': '同意済み',
  'status.not_concurred': '不同意',
  'status.returned': '差し戻し',
  'status.in_execution': '実施中',
  'status.closed': '完了',
  'priority.routine': '通常',
  'priority.priority': '優先',
  'priority.immediate': '至急',
  'decision.pending': '未回答',
  'decision.concur': '同意',
  'decision.not_concur': '不同意',
  'decision.return': '差し戻し',
  'cal.col.title': '件名',
  'cal.col.start': '開始',
  'cal.col.end': '終了',
  'cal.col.participants': '参加国',
  'chat.rooms': 'ルーム',
  'chat.placeholder': 'メッセージを入力…',
  'chat.send': '送信',
  'chat.selectRoom': 'ルームを選択してください。',
  'posture.title': '即応態勢フェーズ',
  'posture.nation': '国',
  'posture.phase': 'フェーズ',
  'posture.alliance': '同盟の態勢',
  'posture.pending': '提案中: {nation} → {phase} (提案者 {by})、確認待ち {awaiting}',
  'posture.propose': 'フェーズを提案',
  'posture.proposeBtn': '提案',
  'posture.ack': '確認',
  'posture.none': '提案中の変更はありません。',
  'phase.peacetime': '平時',
  'phase.gray_zone': 'グレーゾーン事態',
  'phase.contingency': '緊急事態',
};

export const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, ja };

let current: Lang = 'en';
const listeners = new Set<(lang: Lang) => void>();

export function getLang(): Lang {
  return current;
}

export function isLang(v: unknown): v is Lang {
  return v === 'en' || v === 'ja';
}

export function setLang(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  for (const l of listeners) l(lang);
}

export function onLangChange(fn: (lang: Lang) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export type Params = Record<string, string | number>;

/** `{name}` placeholders filled; unknown placeholders are left visible. */
export function fill(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Translated string with `{name}` placeholders filled; unknown placeholders are left visible. */
export function t(key: MessageKey, params?: Params, lang: Lang = current): string {
  return fill(dictionaries[lang][key], params);
}

/**
 * A feature's own dictionary, kept apart so features merge without touching the main one: the English
 * table, the Japanese one over exactly its keys (a missing or extra translation is a compile error), and
 * the lookup in the current language with the same rules as t().
 */
export function defineStrings<K extends string>(en: Record<K, string>, ja: Record<NoInfer<K>, string>) {
  const text: Record<Lang, Record<K, string>> = { en, ja };
  return { en, ja, text, t: (key: K, params?: Params, lang: Lang = current): string => fill(text[lang][key], params) };
}

/** BCP 47 locale used for dates and numbers: the browser's own when it matches the UI language. */
export function localeFor(lang: Lang, browserLocales: readonly string[] = []): string {
  const match = browserLocales.find((l) => l.toLowerCase().split('-')[0] === lang);
  return match ?? (lang === 'ja' ? 'ja-JP' : 'en-US');
}

export interface FormattedTime {
  /** in the user's locale and time zone, with zone name */
  local: string;
  /** same instant in UTC, ISO-like, "2025-01-02 03:04:05Z" */
  utc: string;
}

/** Formats an ISO 8601 instant; invalid input yields the "unknown" mark instead of "Invalid Date". */
export function formatTime(iso: string | undefined, locale: string, timeZone?: string): FormattedTime {
  const d = iso ? new Date(iso) : undefined;
  if (!d || Number.isNaN(d.getTime())) return { local: '—', utc: '—' };
  const local = new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(d);
  const utc = `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
  return { local, utc };
}
