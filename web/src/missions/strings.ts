/**
 * UI strings of the missions panel, in English and Japanese (same key set, typed; a unit test checks none is
 * empty). Kept apart from i18n.ts so this feature merges without touching the main dictionary.
 */
import { defineStrings } from '../i18n.js';

const missionStrings = defineStrings(
  {
    'missions.open': 'Missions',
    'missions.title': 'Missions',
    'missions.close': 'Close',
    'missions.refresh': 'Refresh',
    'missions.empty': 'No missions you may see',
    'missions.subscribe': 'Subscribe',
    'missions.unsubscribe': 'Unsubscribe',
    'missions.subscribed': 'Subscribed',
    'missions.locked': 'Password protected',
    'missions.tracks': 'Tracks ({n})',
    'missions.files': 'Files ({n})',
    'missions.log': 'Log ({n})',
    'missions.noTracks': 'No tracks you may see',
    'missions.add': 'Add to mission',
    'missions.add.choose': 'Track or shape',
    'missions.add.selected': 'Selected track: {name}',
    'missions.add.shape': 'Shape: {name}',
    'missions.add.none': 'Select a track or draw a shape first',
    'missions.added': 'Added {name} to {mission}',
    'missions.subscribedTo': 'Subscribed to {mission}',
    'missions.unsubscribedFrom': 'Unsubscribed from {mission}',
    'missions.show': 'Show {name} on the map',
  },
  {
    'missions.open': 'ミッション',
    'missions.title': 'ミッション',
    'missions.close': '閉じる',
    'missions.refresh': '更新',
    'missions.empty': '閲覧できるミッションはありません',
    'missions.subscribe': '購読',
    'missions.unsubscribe': '購読解除',
    'missions.subscribed': '購読中',
    'missions.locked': 'パスワード保護',
    'missions.tracks': '航跡（{n}）',
    'missions.files': 'ファイル（{n}）',
    'missions.log': 'ログ（{n}）',
    'missions.noTracks': '閲覧できる航跡はありません',
    'missions.add': 'ミッションに追加',
    'missions.add.choose': '航跡または図形',
    'missions.add.selected': '選択中の航跡：{name}',
    'missions.add.shape': '図形：{name}',
    'missions.add.none': '先に航跡を選択するか図形を描いてください',
    'missions.added': '{name} を {mission} に追加しました',
    'missions.subscribedTo': '{mission} を購読しました',
    'missions.unsubscribedFrom': '{mission} の購読を解除しました',
    'missions.show': '{name} を地図に表示',
  },
);

export const { en: missionEn, ja: missionJa, t: mx } = missionStrings;
export type MissionKey = keyof typeof missionEn;
