/**
 * The selected mission's tracks, ringed on the map (a layer of its own, under nothing the track overlay
 * draws). A track the picture holds is ringed where it is now; otherwise where the mission recorded it.
 */
import type { GeoJSONSource, Map as MlMap } from 'maplibre-gl';
import type { MissionTrack } from './missions-api.js';

const SOURCE = 'kz-mission-highlight';

export class MissionLayer {
  private ready = false;
  private tracks: MissionTrack[] = [];

  constructor(
    private readonly map: MlMap,
    private readonly livePosition: (uid: string) => { lat: number; lon: number } | undefined,
  ) {
    const init = () => {
      if (this.ready) return;
      map.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({
        id: 'kz-mission-ring',
        type: 'circle',
        source: SOURCE,
        paint: { 'circle-radius': 16, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#f2cc60', 'circle-stroke-width': 3 },
      });
      this.ready = true;
      this.render();
    };
    if (map.loaded()) init();
    else map.on('load', init);
  }

  /** uids ringed now (tests read this through window.__kizunaMissions) */
  get uids(): string[] {
    return this.tracks.map((t) => t.uid);
  }

  show(tracks: MissionTrack[]): void {
    this.tracks = tracks;
    this.render();
  }

  positionOf(t: MissionTrack): { lat: number; lon: number } {
    return this.livePosition(t.uid) ?? { lat: t.lat, lon: t.lon };
  }

  render(): void {
    if (!this.ready) return;
    const features = this.tracks.map((t) => {
      const p = this.positionOf(t);
      return { type: 'Feature' as const, properties: { uid: t.uid }, geometry: { type: 'Point' as const, coordinates: [p.lon, p.lat] } };
    });
    (this.map.getSource(SOURCE) as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features });
  }

  /** centre on the mission's tracks (one: centre on it; several: fit them) */
  fly(): void {
    if (this.tracks.length === 0) return;
    const ps = this.tracks.map((t) => this.positionOf(t));
    if (ps.length === 1) {
      this.map.easeTo({ center: [ps[0]!.lon, ps[0]!.lat], duration: 400 });
      return;
    }
    const lons = ps.map((p) => p.lon);
    const lats = ps.map((p) => p.lat);
    this.map.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], { padding: 60, duration: 400, maxZoom: 12 });
  }
}
