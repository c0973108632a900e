/** The drawing shapes a node builds as TAK CoT and the browser draws and imports. */
export type ShapeKind = 'marker' | 'line' | 'polygon' | 'rectangle' | 'circle' | 'rings' | 'route';

/** A shape to draw (the body of POST /api/shapes, less uid and label): points as [lat, lon], radius in metres. */
export interface ShapeSpec {
  kind: ShapeKind;
  name: string;
  /** [lat, lon]; one point for marker/circle/rings (the centre) */
  points: [number, number][];
  /** metres: circle radius, or the spacing of range rings */
  radius?: number;
  /** number of range rings (rings only) */
  rings?: number;
  /** '#rrggbb' */
  color?: string;
  remarks?: string;
}
