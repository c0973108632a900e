/** A releasable track of a mission, as the browser's missions panel shows it. */
export interface MissionTrackView {
  uid: string;
  callsign: string;
  type: string;
  lat: number;
  lon: number;
}

/** A mission as the browser's missions panel lists it (only what the caller may see). */
export interface MissionView {
  name: string;
  guid: string;
  description: string;
  classification: string;
  /** the same marking in Japanese (the table's equivalence gloss only where it holds) */
  classificationJa: string;
  passwordProtected: boolean;
  subscribed: boolean;
  tracks: MissionTrackView[];
  files: { hash: string; name: string; size: number }[];
}

export interface MissionLogView {
  id: string;
  content: string;
  dtg: string;
  creatorUid: string;
}

export interface MissionDetailView extends MissionView {
  logs: MissionLogView[];
}
