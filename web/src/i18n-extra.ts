/**
 * UI strings that do not come from the app's own dictionary: server error codes (the server's message is
 * English and generic by design) and the map library's controls. Same key set in both languages (tested).
 */
import type { Lang } from './i18n.js';

/** Stable server error codes (src/util/errors.ts) the browser may show, in the UI language. */
export const errorText: Record<Lang, Record<string, string>> = {
  en: {
    UNAUTHENTICATED: 'Not signed in or session expired',
    FORBIDDEN: 'Not permitted',
    NOT_FOUND: 'Not found',
    BAD_REQUEST: 'The input is invalid',
    CONFLICT: 'Changed by someone else; reload and try again',
    LABEL_INVALID: 'The security label is invalid',
    LABEL_UNMAPPABLE: 'The security label has no equivalent in the partner policy',
    LOGIN_THROTTLED: 'Too many failed sign-ins; try again later',
    PAYLOAD_TOO_LARGE: 'Too large',
    NETWORK: 'The node cannot be reached',
    INTERNAL: 'Internal error',
  },
  ja: {
    UNAUTHENTICATED: '未ログイン、またはセッションの有効期限切れです',
    FORBIDDEN: '権限がありません',
    NOT_FOUND: '見つかりません',
    BAD_REQUEST: '入力内容に誤りがあります',
    CONFLICT: '他の利用者が変更しました。再読み込みしてからやり直してください',
    LABEL_INVALID: '秘密区分の表示が不正です',
    LABEL_UNMAPPABLE: '相手国の区分に対応する区分がありません',
    LOGIN_THROTTLED: 'ログイン失敗が多すぎます。しばらくしてから再度お試しください',
    PAYLOAD_TOO_LARGE: 'サイズが大きすぎます',
    NETWORK: 'ノードに接続できません',
    INTERNAL: '内部エラー',
  },
};

/** The basemap's source line: the data's names stay as published, the words around them are translated. */
export const basemapAttribution: Record<Lang, string> = {
  en: 'Natural Earth via world-atlas',
  ja: 'Natural Earth（world-atlas 経由）',
};

/** MapLibre control strings (its `locale` option); units in the Japanese chart convention. */
export const mapLocale: Record<Lang, Record<string, string>> = {
  en: {
    'Map.Title': 'Map',
    'AttributionControl.ToggleAttribution': 'Toggle attribution',
    'NavigationControl.ResetBearing': 'Reset bearing to north',
    'NavigationControl.ZoomIn': 'Zoom in',
    'NavigationControl.ZoomOut': 'Zoom out',
    'ScaleControl.Meters': 'm',
    'ScaleControl.Kilometers': 'km',
    'ScaleControl.NauticalMiles': 'nm',
  },
  ja: {
    'Map.Title': '地図',
    'AttributionControl.ToggleAttribution': '出典の表示切替',
    'NavigationControl.ResetBearing': '方位を北に戻す',
    'NavigationControl.ZoomIn': '拡大',
    'NavigationControl.ZoomOut': '縮小',
    'ScaleControl.Meters': 'メートル',
    'ScaleControl.Kilometers': 'キロメートル',
    'ScaleControl.NauticalMiles': '海里',
  },
};
