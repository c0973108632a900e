/**
 * Controlled Japanese terms: one Japanese term per English term, checked by the i18n unit test against
 * every UI string (a key whose English is a glossary term must use the glossary's Japanese). Sources are
 * where the usage comes from; "review" marks a term set by the Japanese-language review of the UI in
 * MOD / Defense White Paper usage, "Kizuna" a product choice.
 */
export interface GlossaryEntry {
  en: string;
  ja: string;
  source: string;
  /** the term only as a whole string (a column title): inside a sentence the English word has its everyday sense */
  wholeOnly?: true;
}

export const GLOSSARY: readonly GlossaryEntry[] = [
  { en: 'Classification', ja: '秘密区分', source: 'review: MOD usage' },
  { en: 'UNCLASSIFIED', ja: '秘密区分なし', source: 'Kizuna: the one rendering of "no classification" (server markings use it too)' },
  { en: 'Releasable to', ja: '提供可能先', source: 'Kizuna: REL TO; no releasable nation reads 提供可能先なし（提供禁止）' },
  { en: 'Caveats', ja: '取扱制限', source: 'Kizuna' },
  { en: 'Nations', ja: '関係国', source: 'Kizuna' },
  { en: 'Friend', ja: '味方', source: 'review: identity, not friendly troops' },
  { en: 'Assumed friend', ja: '味方推定', source: 'review' },
  { en: 'Hostile', ja: '敵', source: 'review: standard identity pair' },
  { en: 'Suspect', ja: '敵性の疑い', source: 'review: standard identity pair' },
  { en: 'Joker', ja: 'ジョーカー（演習・不審役）', source: 'review: bare katakana means nothing to most operators' },
  { en: 'Faker', ja: 'フェイカー（演習・敵役）', source: 'review' },
  { en: 'SOF', ja: '特殊作戦部隊', source: 'review: forces, not operations' },
  { en: 'ISR', ja: '情報収集・警戒監視・偵察（ISR）', source: 'review: MOD rendering' },
  { en: 'Request for information', ja: '情報提供要請（RFI）', source: 'review: 情報要求 reads as an intelligence requirement' },
  { en: 'Contingency', ja: '緊急事態', source: 'review: Guidelines for Japan-U.S. Defense Cooperation 「平時から緊急事態まで」' },
  { en: 'Gray zone', ja: 'グレーゾーン事態', source: 'review: Defense White Paper wording' },
  { en: 'Peacetime', ja: '平時', source: 'review' },
  { en: 'Acknowledge', ja: '確認', source: "review: acknowledging a partner's phase is not approving it" },
  { en: 'Escalated', ja: '期限超過（上位調整）', source: 'review: set automatically at the deadline' },
  { en: 'In review', ja: '検討中', source: 'review: 審査 implies permit authority' },
  { en: 'Awaiting reply', ja: '未回答', source: 'review: 未決 has a legal sense' },
  { en: 'Deadline', ja: '回答期限', source: 'review: government usage' },
  { en: 'Start execution', ja: '実施開始', source: 'review: government usage' },
  { en: 'In execution', ja: '実施中', source: 'Kizuna: follows 実施開始' },
  { en: 'Event', ja: '件名', source: 'review: 行事 means a ceremony; the calendar column ("Event saved" is a 予定)', wholeOnly: true },
  { en: 'Authorised use only. All activity is audited.', ja: '許可された者以外の使用を禁止します。全操作は監査のため記録されます。', source: 'review' },
  { en: 'HA/DR', ja: '人道支援・災害救援', source: 'review: core vocabulary' },
  { en: 'Coordination desk', ja: '調整デスク', source: 'Kizuna' },
];
