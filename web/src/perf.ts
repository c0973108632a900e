/** Counters behind window.__kizuna: frames per second and message-receipt → map-update latency. */
export class PerfMeter {
  private frames = 0;
  private windowStart = 0;
  private currentFps = 0;
  private pendingSince: number | undefined;
  private lastLatency = 0;
  private running = false;
  /** map source updates and the main-thread time they took (building GeoJSON + handing it to MapLibre) */
  flushes = 0;
  flushMs = 0;
  messages = 0;
  /** frames in which MapLibre repainted the WebGL map (camera moves, basemap loading) */
  mapRepaints = 0;
  /** main-thread ms of the overlay redraws spent drawing callsign labels (part of flushMs) */
  labelMs = 0;

  startFpsLoop(): void {
    if (this.running) return;
    this.running = true;
    this.windowStart = performance.now();
    const tick = (now: number): void => {
      this.frames++;
      if (now - this.windowStart >= 1000) {
        this.currentFps = (this.frames * 1000) / (now - this.windowStart);
        this.frames = 0;
        this.windowStart = now;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  /** First unrendered message time is kept: latency is measured for the oldest message of a batch. */
  received(at: number): void {
    this.messages++;
    if (this.pendingSince === undefined) this.pendingSince = at;
  }

  rendered(at: number): void {
    if (this.pendingSince === undefined) return;
    this.lastLatency = at - this.pendingSince;
    this.pendingSince = undefined;
  }

  flushed(ms: number): void {
    this.flushes++;
    this.flushMs += ms;
  }

  fps(): number {
    return Math.round(this.currentFps * 10) / 10;
  }

  lastUpdateLatencyMs(): number {
    return Math.round(this.lastLatency * 10) / 10;
  }
}
